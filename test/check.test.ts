// `spylog check` and `spylog baseline` end to end: the redirected-capture scenario, stale
// baselines, thresholds, policies, every exit code, and valid JUnit and SARIF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SaxesParser } from 'saxes';
import { analyzeBuffer } from '../src/analyze.js';
import { parseBaseline } from '../src/baseline/read.js';
import { gate } from '../src/check/index.js';
import { DEFAULT_THRESHOLDS } from '../src/check/gate.js';
import { renderJunit } from '../src/check/reporters/junit.js';
import { xmlAttr, xmlText } from '../src/text/xml.js';
import { ROOT, everyFixtureLog, fixture, runMain, spylog } from './helpers.js';
import { codeQualityProblems, junitErrors, sarifProblems } from './ci-formats.js';
import type { CheckResult } from '../src/check/gate.js';

type CheckJson = CheckResult;

const tmp = mkdtempSync(join(tmpdir(), 'spylog-check-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** The baseline of the console capture of the leak-free program, made by the CLI. */
function consoleBaseline(): string {
  const r = spylog(['baseline', 'fixtures/w2k-console-noleak.log']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const path = join(tmp, 'known-runtime.csv');
  writeFileSync(path, r.stdout);
  return path;
}

function json(args: string[]) {
  const r = spylog([...args, '--format', 'json']);
  return { status: r.status, stderr: r.stderr, result: JSON.parse(r.stdout) };
}

test('baseline from a console capture makes the redirected capture of the same program pass', () => {
  const kr = consoleBaseline();
  const text = spylog(['check', 'fixtures/w2k-redirected-noleak.log', '--baseline', kr]);
  assert.equal(text.status, 0, text.stdout);
  assert.equal(text.stdout.trimEnd().split('\n').at(-1), 'PASS: no true leaks - 11 runtime-held blocks matched the baseline');

  const { status, result } = json(['check', 'fixtures/w2k-redirected-noleak.log', '-b', kr]);
  assert.equal(status, 0);
  assert.equal(result.schema, 'spylog/check@1');
  assert.equal(result.passed, true);
  assert.deepEqual(result.report.summary.exitprocess, { blocks: 11, bytes: 784 });
  assert.deepEqual(result.report.summary.unresolved, { blocks: 0, bytes: 0 });
  const decided = result.report.blocks.filter((b: { decidedBy: string }) => b.decidedBy === 'baseline');
  assert.equal(decided.length, 11);
  assert.ok(decided.every((b: { category: string }) => b.category === 'exitprocess'));
  assert.deepEqual(result.baseline.stale, []);
});

test('the same program with two extra CoTaskMemAlloc leaks fails with exactly those two', () => {
  const kr = consoleBaseline();
  const text = spylog(['check', 'fixtures/w2k-redirected.log', '--baseline', kr]);
  assert.equal(text.status, 1);
  assert.equal(
    text.stdout.trimEnd().split('\n').at(-1),
    'FAIL: 2 true leaks (128 bytes) - 11 runtime-held blocks matched the baseline; failed: true-leaks',
  );

  const { result } = json(['check', 'fixtures/w2k-redirected.log', '-b', kr]);
  const leaks = result.report.blocks.filter((b: { category: string }) => b.category === 'true-leak');
  assert.deepEqual(
    leaks.map((b: { address: string; size: number; context: string; allocLine: number; decidedBy: string }) => [
      b.address,
      b.size,
      b.context,
      b.allocLine,
      b.decidedBy,
    ]),
    [
      ['0x0023A000', 64, 'CoTaskMemAlloc', 3, 'baseline'],
      ['0x0023A050', 64, 'CoTaskMemAlloc', 5, 'baseline'],
    ],
  );
  assert.deepEqual(
    result.leaks.map((g: { context: string; size: number }) => [g.context, g.size]),
    [['CoTaskMemAlloc', 64]],
  );
  assert.deepEqual(result.report.summary.exitprocess, { blocks: 11, bytes: 784 });
});

test('real Wine captures: blocks freed at exit in one run decide the redirected run where that output is lost', () => {
  const r = spylog(['baseline', 'fixtures/real/leak2-exitfree-redirected.log']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^CoTaskMemAlloc,64,2,4C 45 41 4B 23 \?\? 00 CD CD CD CD CD CD CD CD CD,reference lines 3 5$/m);
  const kr = join(tmp, 'leak2.csv');
  writeFileSync(kr, r.stdout);
  const c = spylog(['check', 'fixtures/real/leak2-redirected.log', '-b', kr]);
  assert.equal(c.status, 0, c.stdout);
  assert.match(c.stdout, /PASS: no true leaks - 2 runtime-held blocks matched the baseline\n$/);
  // Without the baseline the same log cannot be decided, and the message says how to.
  const u = spylog(['check', 'fixtures/real/leak2-redirected.log']);
  assert.equal(u.status, 1);
  assert.match(
    u.stdout,
    /\[FAIL\] no unresolved blocks: 2 blocks \(128 bytes\) never freed, but the log is possibly-truncated: .*--baseline FILE .*console/,
  );
  assert.match(u.stdout, /FAIL: no true leaks, 2 unresolved blocks \(128 bytes, log possibly-truncated\) - failed: unresolved\n$/);
});

test('a baseline that no longer matches (a runtime block missing) is reported as stale', () => {
  const kr = consoleBaseline();
  // The redirected run, but the runtime no longer allocates its 44-byte block: its lines are
  // gone, and the spy's counts (all after its allocation, while it lived) are one lower.
  const log = readFileSync(fixture('w2k-redirected-noleak.log'), 'utf8')
    .split('\n')
    .filter((l) => !l.includes('0x0013A030'))
    .map((l) => l.replace(/freed, (\d+) blocks remaining/, (_, k: string) => `freed, ${Number(k) - 1} blocks remaining`))
    .join('\n');
  const path = join(tmp, 'no44.log');
  writeFileSync(path, log);
  const { status, result } = json(['check', path, '-b', kr]);
  assert.equal(status, 0, 'stale is a warning by default');
  assert.equal(result.baseline.stale.length, 1);
  assert.deepEqual((({ context, size, expected, found }) => ({ context, size, expected, found }))(result.baseline.stale[0]), {
    context: 'CLSIDFromProgID',
    size: 44,
    expected: 1,
    found: 0,
  });
  assert.equal(result.checks.find((c: { id: string }) => c.id === 'baseline').outcome, 'warn');
  const text = spylog(['check', path, '-b', kr]);
  assert.match(
    text.stdout,
    /\[warn\] baseline is current: 1 entry of .* found fewer blocks than expected: line 11 CLSIDFromProgID 44 bytes \(expected 1, found 0\)/,
  );
  assert.match(text.stdout, /PASS: no true leaks - 10 runtime-held blocks matched the baseline; baseline stale \(1 entry unmatched\)\n$/);
  assert.equal(spylog(['check', path, '-b', kr, '--stale', 'fail']).status, 1);
});

test('thresholds: --max-leaks and --max-leak-bytes', () => {
  const kr = consoleBaseline();
  const run = (...extra: string[]) => spylog(['check', 'fixtures/w2k-redirected.log', '-b', kr, ...extra]).status;
  assert.equal(run('--max-leaks', '1'), 1);
  assert.equal(run('--max-leaks', '2'), 0);
  assert.equal(run('--max-leaks', '2', '--max-leak-bytes', '127'), 1);
  assert.equal(run('--max-leaks', '2', '--max-leak-bytes', '128'), 0);
  const { result } = json(['check', 'fixtures/w2k-redirected.log', '-b', kr, '--max-leaks', '5', '--max-leak-bytes', '100']);
  assert.deepEqual(
    result.checks.map((c: { id: string; outcome: string }) => `${c.id}:${c.outcome}`),
    ['true-leaks:pass', 'leak-bytes:fail', 'unresolved:pass', 'baseline:pass'],
  );
});

test('--unresolved fail|warn|allow and --assume-complete, without a baseline', () => {
  const log = 'fixtures/w2k-redirected-noleak.log';
  assert.equal(spylog(['check', log]).status, 1);
  const warn = spylog(['check', log, '--unresolved', 'warn']);
  assert.equal(warn.status, 0);
  assert.match(warn.stdout, /\[warn\] no unresolved blocks: 11 blocks \(784 bytes\)/);
  assert.equal(spylog(['check', log, '--unresolved', 'allow']).status, 0);
  const assumed = json(['check', log, '--assume-complete']);
  assert.equal(assumed.status, 1);
  assert.deepEqual(assumed.result.report.summary['true-leak'], { blocks: 11, bytes: 784 });
  // A complete console capture needs nothing: its runtime memory is visibly freed at exit.
  assert.equal(spylog(['check', 'fixtures/w2k-console-noleak.log']).status, 0);
  assert.equal(spylog(['check', 'fixtures/w2k-console.log']).status, 1);
});

test('a baseline not declared complete for a context leaves its unmatched blocks unresolved', () => {
  const kr = readFileSync(consoleBaseline(), 'utf8').replace(/^# complete: \*\n/m, '');
  const partial = join(tmp, 'partial.csv');
  writeFileSync(partial, kr);
  const { status, result } = json(['check', 'fixtures/w2k-redirected.log', '-b', partial]);
  assert.equal(status, 1);
  assert.deepEqual(result.report.summary.unresolved, { blocks: 2, bytes: 128 });
  assert.deepEqual(result.report.summary['true-leak'], { blocks: 0, bytes: 0 });
  writeFileSync(partial, '# complete: CoTaskMemAlloc\n' + kr);
  assert.deepEqual(json(['check', 'fixtures/w2k-redirected.log', '-b', partial]).result.report.summary['true-leak'], { blocks: 2, bytes: 128 });
  // --assume-complete decides what the baseline left.
  const assumed = json(['check', 'fixtures/w2k-redirected.log', '-b', join(tmp, 'known-runtime.csv'), '--assume-complete']);
  assert.deepEqual(assumed.result.report.summary.exitprocess, { blocks: 11, bytes: 784 });
});

test('exit code 2: bad usage and unreadable input, one line naming the file (and the baseline line)', () => {
  const kr = consoleBaseline();
  const bad = join(tmp, 'bad.csv');
  writeFileSync(bad, 'context,size,count\nCLSIDFromProgID,44,1\nCLSIDFromProgID,-3,1\n');
  const cases: [string[], RegExp][] = [
    [['check', 'fixtures/nope.log'], /^spylog: cannot read fixtures\/nope\.log: no such file\n$/],
    [['check', 'fixtures/w2k-redirected.log', '-b', join(tmp, 'nope.csv')], /^spylog: cannot read .*nope\.csv: no such file\n$/],
    [['check', 'fixtures/w2k-redirected.log', '-b', bad], /^spylog: .*bad\.csv:3: size "-3" is not a whole number of bytes\n$/],
    [['check', 'fixtures/w2k-redirected.log', '--max-leaks', 'x'], /^spylog: --max-leaks needs a number \(got 'x'\); see spylog check --help\n$/],
    [
      ['check', 'fixtures/w2k-redirected.log', '--max-leak-bytes', '-1'],
      /^spylog: --max-leak-bytes must be a whole number of at least 0 \(got -1\)\n$/,
    ],
    [
      ['check', 'fixtures/w2k-redirected.log', '--unresolved', 'maybe'],
      /^spylog: --unresolved must be one of fail, warn, allow \(got 'maybe'\); see spylog check --help\n$/,
    ],
    [
      ['check', 'fixtures/w2k-redirected.log', '-f', 'junit', '-o', 'fixtures/w2k-console.log/junit.xml'],
      /^spylog: cannot write fixtures\/w2k-console\.log\/junit\.xml: a part of the path is a file, not a folder\n$/,
    ],
    [['check'], /^spylog: check needs a log file: spylog check <log> \(- reads standard input\); see spylog check --help\n$/],
    [
      ['baseline', 'fixtures/w2k-redirected.log'],
      /^spylog: fixtures\/w2k-redirected\.log is possibly-truncated \(.*\); a baseline needs a complete reference run: capture the program on a console\n$/,
    ],
    [['baseline', 'fixtures'], /^spylog: cannot read fixtures: is a directory\n$/],
  ];
  for (const [args, stderr] of cases) {
    const r = spylog(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.split('\n')[0] + '\n', stderr, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.ok(kr);
});

test('baseline warns about true leaks in the reference run, which it leaves out', () => {
  const r = spylog(['baseline', 'fixtures/w2k-console.log']);
  assert.equal(r.status, 0);
  assert.equal(
    r.stderr,
    'spylog: fixtures/w2k-console.log: 2 true leaks (128 bytes) in the reference run are not in the baseline: check will keep flagging them\n',
  );
  assert.doesNotMatch(r.stdout, /CoTaskMemAlloc/);
  // stdin works for the reference too
  const s = spylog(['baseline', '-'], { input: readFileSync(fixture('w2k-console-noleak.log')) });
  assert.equal(s.status, 0);
  assert.match(s.stdout, /^# reference: - \(complete; 23 allocations\)$/m);
});

/** Parses XML strictly (XML 1.0 well-formedness); returns the element names met. */
function parseXml(xml: string): { names: string[]; attrs: Record<string, string>[] } {
  const parser = new SaxesParser();
  const names: string[] = [];
  const attrs: Record<string, string>[] = [];
  parser.on('error', (e) => {
    throw e;
  });
  parser.on('opentag', (t) => {
    names.push(t.name);
    attrs.push(t.attributes as Record<string, string>);
  });
  parser.write(xml).close();
  return { names, attrs };
}

test('JUnit: a test case per gate and per leak site, named without counts, the log in the classname', () => {
  const kr = consoleBaseline();
  const out = join(tmp, 'reports', 'junit.xml'); // the folder is created
  const r = spylog(['check', 'fixtures/w2k-redirected.log', '-b', kr, '-f', 'junit', '-o', out]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, 'FAIL: 2 true leaks (128 bytes) - 11 runtime-held blocks matched the baseline; failed: true-leaks\n');
  const xml = readFileSync(out, 'utf8');
  assert.deepEqual(junitErrors(xml), []);
  const { names, attrs } = parseXml(xml);
  assert.equal(names[0], 'testsuites');
  const cases = attrs.filter((_a, i) => names[i] === 'testcase').map((a) => `${a.classname} | ${a.name}`);
  assert.deepEqual(cases, [
    'spylog.w2k-redirected.gate | true leaks',
    'spylog.w2k-redirected.gate | unresolved blocks',
    'spylog.w2k-redirected.gate | baseline is current',
    'spylog.w2k-redirected.blocks | true-leak: CoTaskMemAlloc, 64 bytes',
  ]);
  assert.equal(names.filter((n) => n === 'failure').length, 2);
  assert.deepEqual((({ tests, failures }) => ({ tests, failures }))(attrs[1]!), { tests: '4', failures: '2' });
  assert.ok(
    attrs.filter((_a, i) => names[i] === 'testcase').every((a) => /^\d+\.\d{3}$|^0$/.test(a.time ?? '')),
    'every case has a time',
  );
  assert.match(attrs[0]!.time ?? '', /^\d+\.\d{3}$/);
  // --name sets the log id
  const named = spylog(['check', 'fixtures/w2k-redirected.log', '-b', kr, '-f', 'junit', '--name', 'nightly x64']);
  assert.match(named.stdout, /<testcase classname="spylog\.nightly x64\.blocks" name="true-leak: CoTaskMemAlloc, 64 bytes"/);
  assert.match(named.stdout, /<testsuite name="spylog check nightly x64"/);
});

test('JUnit: every shipped log, under every policy, with and without a baseline, is valid against junit-10.xsd with unique names', async () => {
  const kr = consoleBaseline();
  const seen = new Set<string>();
  for (const { path, dialectFile } of everyFixtureLog()) {
    if (path.endsWith('empty.log')) continue;
    for (const extra of [[], ['--unresolved', 'warn'], ['--unresolved', 'allow', '--max-leaks', '1'], ['-b', kr, '--stale', 'fail']]) {
      const args = ['check', path, '-f', 'junit', ...(dialectFile ? ['--dialect', dialectFile] : []), ...extra];
      const r = await runMain(args);
      if (r.status === 2) continue; // not a spy log at all: nothing to report
      assert.deepEqual(junitErrors(r.stdout), [], args.join(' '));
      const { names, attrs } = parseXml(r.stdout);
      const keys = attrs.filter((_a, i) => names[i] === 'testcase').map((a) => `${a.classname}\0${a.name}`);
      assert.equal(new Set(keys).size, keys.length, `duplicate test case in ${args.join(' ')}`);
      seen.add(path);
    }
  }
  assert.ok(seen.size > 20, `${seen.size} logs checked`);
});

test('JUnit: test names and classnames stay the same when addresses and block counts change', () => {
  const log = readFileSync(fixture('w2k-redirected.log'), 'utf8');
  // Another run of the same program: other addresses, one more leaked block, lines shifted.
  const moved = log.replace(
    /0x([0-9A-F]{8})/g,
    (_m, h: string) => '0x' + ((parseInt(h, 16) + 0x10000) >>> 0).toString(16).toUpperCase().padStart(8, '0'),
  );
  const grown = moved.replace(/^(MALLOC SPY: 0x0024A050 - 64 bytes allocated\n)/m, 'Banner line\n$1MALLOC SPY: 0x0024A0A0 - 64 bytes allocated\n');
  assert.notEqual(grown, log);
  const path = join(tmp, 'w2k-redirected.log');
  writeFileSync(path, grown);
  const kr = consoleBaseline();
  const names = (file: string) => {
    const { names, attrs } = parseXml(spylog(['check', file, '-b', kr, '-f', 'junit', '--name', 'app']).stdout);
    return attrs.filter((_a, i) => names[i] === 'testcase').map((a) => `${a.classname} | ${a.name}`);
  };
  assert.deepEqual(names(path), names('fixtures/w2k-redirected.log'));
  const failure = (file: string) => /<failure message="([^"]*)" type="true-leak"/.exec(spylog(['check', file, '-b', kr, '-f', 'junit']).stdout)?.[1];
  assert.match(failure(path) ?? '', /^3 blocks of 64 bytes/);
  assert.match(failure('fixtures/w2k-redirected.log') ?? '', /^2 blocks of 64 bytes/);
});

test('JUnit stays parseable when a log brings characters XML 1.0 forbids', () => {
  const log = ['CoRegisterMallocSpy() returns 0x00000000', 'MALLOC SPY: 0x00100000 - 10 bytes allocated', 'Called CoUninitialize()', ''].join('\n');
  const report = analyzeBuffer(log, { source: 'a<b>&"c\u0001.log', assumeComplete: true });
  report.blocks[0]!.context = 'Do\u0000\u0001\u001b<&>"\'\uFFFE\uD800Thing';
  const result = gate(report, DEFAULT_THRESHOLDS);
  const xml = renderJunit(result);
  assert.deepEqual(junitErrors(xml), []);
  const { attrs, names } = parseXml(xml);
  const leak = attrs.find((a, i) => names[i] === 'testcase' && a.classname?.endsWith('.blocks'));
  assert.equal(leak?.name, 'true-leak: Do<&>"\'Thing, 10 bytes');
  assert.equal(leak?.classname, 'spylog.a<b>&"c.blocks');
  assert.equal(xmlText('a\u0007<b>'), 'a&lt;b&gt;');
  assert.equal(xmlAttr('x"\n'), 'x&quot;&#10;');
});

/* eslint-disable @typescript-eslint/no-explicit-any -- SARIF is walked as plain JSON */
const sarifOf = (args: string[]) => JSON.parse(spylog([...args, '-f', 'sarif']).stdout);
const where = (res: any) => {
  const pl = res.locations[0].physicalLocation;
  return `${pl.artifactLocation.uri}:${pl.region.startLine}`;
};

test('SARIF: valid OASIS 2.1.0 with every key GitHub code scanning needs, one result per leak site', async () => {
  const kr = consoleBaseline();
  for (const args of [
    ['check', 'fixtures/w2k-redirected.log', '-b', kr],
    ['check', 'fixtures/w2k-redirected.log'],
    ['check', 'fixtures/w2k-redirected-noleak.log', '--unresolved', 'warn'],
    ['check', 'fixtures/w2k-redirected-noleak.log', '-b', 'fixtures/baselines/w2k-stale.csv'],
    ['check', 'fixtures/w2k-console-noleak.log'],
    ['check', 'fixtures/capture/crt-dump.log'],
    ['check', 'fixtures/capture/debugview-pids.log'],
    ['check', 'fixtures/capture/two-runs.log', '-b', kr],
  ]) {
    const sarif = sarifOf(args);
    assert.deepEqual(sarifProblems(sarif), [], args.join(' '));
    const driver = sarif.runs[0].tool.driver;
    assert.equal(driver.version, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    assert.equal(driver.semanticVersion, driver.version);
  }
  const sarif = sarifOf(['check', 'fixtures/w2k-redirected.log', '-b', kr]);
  assert.equal(sarif.runs[0].automationDetails.id, 'spylog/w2k-redirected/');
  const results = sarif.runs[0].results;
  // The leak the baseline convicted is located at the baseline's "# complete: *" line; the log lines are related locations.
  assert.deepEqual(
    results.map((x: any) => [x.ruleId, x.level, x.relatedLocations.map((l: any) => l.physicalLocation.region.startLine)]),
    [['spylog/true-leak', 'error', [3, 5]]],
  );
  assert.match(where(results[0]), /known-runtime\.csv:6$/);
  assert.match(results[0].message.text, /^2 blocks of 64 bytes allocated in CoTaskMemAlloc never freed: .*\[line 3\]\(1\), \[line 5\]\(2\)/);
  // Without a baseline, undecided blocks are located at their allocation in the log.
  const undecided = sarifOf(['check', 'fixtures/w2k-redirected.log']).runs[0].results;
  assert.equal(undecided.length, 8, 'one result per context and size, not per block');
  assert.deepEqual(undecided.slice(0, 2).map(where), ['fixtures/w2k-redirected.log:9', 'fixtures/w2k-redirected.log:19']);
  assert.deepEqual(
    undecided.slice(0, 2).map((x: any) => x.properties.blocks),
    [2, 4],
  );
  // A stale baseline row points at its line.
  const stale = sarifOf(['check', 'fixtures/w2k-redirected-noleak.log', '-b', 'fixtures/baselines/w2k-stale.csv']).runs[0].results;
  assert.deepEqual(
    stale.map((x: any) => [x.ruleId, where(x)]),
    [['spylog/stale-baseline', 'fixtures/baselines/w2k-stale.csv:15']],
  );
});

test('SARIF: fingerprints and categories stay the same when addresses, counts and line numbers change; --name scopes them', () => {
  const log = readFileSync(fixture('w2k-redirected.log'), 'utf8');
  const moved = log.replace(
    /0x([0-9A-F]{8})/g,
    (_m, h: string) => '0x' + ((parseInt(h, 16) + 0x10000) >>> 0).toString(16).toUpperCase().padStart(8, '0'),
  );
  const grown = moved.replace(/^(MALLOC SPY: 0x0024A050 - 64 bytes allocated\n)/m, 'Banner line\n$1MALLOC SPY: 0x0024A0A0 - 64 bytes allocated\n');
  const path = join(tmp, 'fp', 'w2k-redirected.log');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, grown);
  const keys = (args: string[]) =>
    sarifOf(args)
      .runs[0].results.map((x: any) => `${x.ruleId} ${x.partialFingerprints.primaryLocationLineHash} ${x.fingerprints['spylog/v1']}`)
      .sort();
  for (const extra of [[], ['-b', consoleBaseline()]]) {
    const before = keys(['check', 'fixtures/w2k-redirected.log', ...extra]);
    const after = keys(['check', path, ...extra]);
    assert.ok(before.length > 0);
    assert.deepEqual(after, before, extra.join(' '));
    const named = keys(['check', path, '--name', 'other', ...extra]);
    assert.equal(named.filter((k: string) => before.includes(k)).length, 0, 'another log id gives other fingerprints');
  }
  assert.equal(sarifOf(['check', path, '--name', 'nightly']).runs[0].automationDetails.id, 'spylog/nightly/');
});

test('SARIF: --anchor locates results in a committed file; a CRT file(line) under --source-root wins', () => {
  const a = sarifOf(['check', 'fixtures/w2k-redirected.log', '--anchor', 'README.md:12']).runs[0].results;
  assert.ok(a.every((x: any) => where(x) === 'README.md:12'));
  assert.ok(a.every((x: any) => x.relatedLocations[0].physicalLocation.artifactLocation.uri === 'fixtures/w2k-redirected.log'));
  assert.deepEqual(
    new Set(a.map((x: any) => x.partialFingerprints.primaryLocationLineHash)).size,
    a.length,
    'one alert each, though they share a line',
  );
  assert.ok(sarifOf(['check', 'fixtures/w2k-redirected.log', '--anchor', 'README.md']).runs[0].results.every((x: any) => where(x) === 'README.md:1'));
  const bad = spylog(['check', 'fixtures/w2k-redirected.log', '--anchor', 'nope.cpp:3']);
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, 'spylog: --anchor nope.cpp: no such file (name a file committed to the repository)\n');

  // fixtures/capture/crt-dump.log: `c:\src\spytest\main.cpp(42) : {813} normal block ...` and two blocks without a source line.
  const crt = sarifOf(['check', 'fixtures/capture/crt-dump.log', '--source-root', 'C:\\src']).runs[0].results;
  assert.ok(crt.map(where).includes('spytest/main.cpp:42'));
  assert.deepEqual(crt.map((x: any) => x.properties.context).sort(), [
    '(client block)',
    '(normal block)',
    'c:\\src\\spytest\\main.cpp (normal block)',
  ]);
  // Outside the source root the CRT path is no repository path: the result stays in the log.
  assert.ok(!sarifOf(['check', 'fixtures/capture/crt-dump.log']).runs[0].results.map(where).includes('spytest/main.cpp:42'));
});

test('SARIF: at most 5,000 results, the largest first, and a run-level note says how many were left out', async () => {
  const lines = ['CoRegisterMallocSpy() returns 0x00000000'];
  for (let size = 1; size <= 5100; size++)
    lines.push(`MALLOC SPY: 0x${(0x100000 + size * 0x10000).toString(16).toUpperCase()} - ${size} bytes allocated`);
  lines.push('CoTaskMemAlloc() returns 0x00000000', 'Called CoUninitialize()', '');
  const path = join(tmp, 'many.log');
  writeFileSync(path, lines.join('\n'));
  const r = await runMain(['check', path, '--assume-complete', '-f', 'sarif']);
  assert.equal(r.status, 1);
  const sarif = JSON.parse(r.stdout);
  assert.deepEqual(sarifProblems(sarif), []);
  const run = sarif.runs[0];
  assert.equal(run.results.length, 5000);
  assert.equal(run.results[0].properties.size, 5100);
  assert.equal(run.results[4999].properties.size, 101);
  assert.equal(run.properties.resultsOmitted, 100);
  assert.match(run.invocations[0].toolExecutionNotifications[0].message.text, /^100 results left out: GitHub shows at most 5,000 results a run/);
});
/* eslint-enable @typescript-eslint/no-explicit-any */

test('parseBaseline, the analysis and the gate are usable without the CLI (pure)', () => {
  const baseline = parseBaseline('# complete: *\ncontext,size,count\nCLSIDFromProgID,44,1\n', 'inline');
  const log = readFileSync(fixture('w2k-redirected.log'));
  const result = gate(analyzeBuffer(log, { baseline }), DEFAULT_THRESHOLDS);
  assert.equal(result.passed, false);
  // One 44-byte block matched; every other never-freed block is convicted (the baseline is complete for all).
  assert.equal(result.report.summary['true-leak'].blocks, 12);
  assert.equal(result.report.summary.exitprocess.blocks, 1);
  assert.deepEqual(result.baseline && { matched: result.baseline.matched, convicted: result.baseline.convicted }, { matched: 1, convicted: 12 });
  assert.equal(analyzeBuffer(log).summary.unresolved.blocks, 13, 'without the baseline the log decides nothing');
});

test('check on a file that matches no dialect is exit 2 naming the dialects tried (a vacuous pass would hide it)', () => {
  const r = spylog(['check', 'fixtures/capture/unknown-format.log']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^spylog: fixtures\/capture\/unknown-format\.log: no line matches any dialect \(tried: mallocspy, crt\)/);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1);
});

test('a baseline applies to each run of a file on its own (CI appends runs to one file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spylog-runs-'));
  try {
    const kr = join(dir, 'kr.csv');
    writeFileSync(kr, spylog(['baseline', 'fixtures/w2k-console-noleak.log']).stdout);
    const noleak = readFileSync(join(ROOT, 'fixtures', 'w2k-redirected-noleak.log'));
    const leak = readFileSync(join(ROOT, 'fixtures', 'w2k-redirected.log'));
    const twoClean = join(dir, 'two-clean.log');
    writeFileSync(twoClean, Buffer.concat([noleak, noleak]));
    const pass = spylog(['check', twoClean, '-b', kr]);
    assert.equal(pass.status, 0, pass.stdout);
    assert.match(pass.stdout, /PASS: no true leaks - 22 runtime-held blocks matched the baseline\n$/);
    const cleanThenLeak = join(dir, 'clean-then-leak.log');
    writeFileSync(cleanThenLeak, Buffer.concat([noleak, leak]));
    const fail = spylog(['check', cleanThenLeak, '-b', kr]);
    assert.equal(fail.status, 1);
    assert.match(fail.stdout, /FAIL: 2 true leaks \(128 bytes\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a baseline saved as UTF-16 with a BOM (PowerShell 5.1 `>`) reads like the UTF-8 one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spylog-u16-'));
  try {
    const text = spylog(['baseline', 'fixtures/w2k-console-noleak.log']).stdout.replace(/\n/g, '\r\n');
    const kr = join(dir, 'kr.csv');
    writeFileSync(kr, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const r = spylog(['check', 'fixtures/w2k-redirected-noleak.log', '-b', kr]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /PASS: no true leaks - 11 runtime-held blocks matched the baseline\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('check on the helper-DLL capture with a baseline from its console twin: 1 true leak, 11 blocks decided by the baseline, no stale row', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spylog-helperdll-'));
  try {
    const csv = join(dir, 'known-runtime.csv');
    const made = await runMain(['baseline', 'fixtures/real/wine2/helperdll-clbhold-msvcrt-console.log']);
    assert.equal(made.status, 0, made.stderr);
    writeFileSync(csv, made.stdout);
    const r = await runMain(['check', 'fixtures/real/wine2/helperdll-clbhold-msvcrt-redirected.log', '--baseline', csv, '-f', 'json']);
    assert.equal(r.status, 1);
    const result = JSON.parse(r.stdout) as CheckJson;
    const blocks = result.report.blocks;
    assert.equal(result.report.truncation, 'possibly-truncated');
    assert.deepEqual(
      blocks.filter((b) => b.category === 'true-leak').map((b) => [b.address, b.context, b.size]),
      [['0x0000000000377020', 'CoTaskMemAlloc', 64]],
    );
    assert.equal(blocks.filter((b) => b.category === 'exitprocess' && b.decidedBy === 'baseline').length, 11);
    assert.equal(blocks.filter((b) => b.category === 'exitprocess' && b.decidedBy === 'log').length, 12);
    assert.deepEqual(result.baseline?.stale, []);
    assert.match(result.verdict, /^FAIL: 1 true leak \(64 bytes\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("check over blocks only the spy's count knows: every format fails the gate and says what was lost; diff sees them new (attack notes #103)", () => {
  // A crash whose only leak's allocation line a progress indicator ate (CR, then text, then the spy's line).
  const lost = join(tmp, 'lost-alloc.log');
  writeFileSync(
    lost,
    [
      'CoInitialize() returns 0x00000000',
      'CoRegisterMallocSpy() returns 0x00000000',
      '\rLoading 50%\rLoading 100%MALLOC SPY: 0x00132000 - 64 bytes allocated',
      'CoTaskMemAlloc(64) returns 0x00132000',
      'MALLOC SPY: 0x00133000 - 16 bytes allocated',
      'MALLOC SPY: 0x00133000 - freed, 1 blocks remaining',
      'Doing work',
      '',
    ].join('\r\n'),
  );
  const text = spylog(['check', lost]);
  assert.equal(text.status, 1, text.stdout);
  assert.match(
    text.stdout,
    /\[FAIL\] no unresolved blocks: 1 block \(size unknown\) never freed.*It is known only from the spy's count at line 6: this log lost its allocation line, and no baseline can decide it/,
  );
  assert.match(text.stdout, /FAIL: no true leaks, 1 unresolved block \(size unknown, log possibly-truncated\)/);
  const assumed = spylog(['check', lost, '--assume-complete']);
  assert.equal(assumed.status, 1);
  assert.match(
    assumed.stdout,
    /\[FAIL\] true leaks <= 0: 1 true leak \(size unknown\); at most 0 allowed\. It is known only from the spy's count at line 6: this log lost its allocation line/,
  );
  // The CI formats show one finding, at the count that shows the block, valid against their schemas.
  const sarif = sarifOf(['check', lost]);
  assert.deepEqual(sarifProblems(sarif), []);
  const results = sarif.runs[0].results;
  assert.equal(results.length, 1);
  assert.equal(results[0].ruleId, 'spylog/unresolved');
  assert.equal(results[0].locations[0].physicalLocation.region.startLine, 6);
  assert.match(
    results[0].message.text,
    /^1 block of unknown size known only from the spy's count at line 6: this log lost its allocation line; freed during ExitProcess or leaked/,
  );
  const junit = spylog(['check', lost, '-f', 'junit']);
  assert.deepEqual(junitErrors(junit.stdout), []);
  assert.match(junit.stdout, /<testcase classname="[^"]*\.blocks" name="unresolved: allocations this log lost"/);
  assert.match(
    spylog(['check', lost, '-f', 'markdown']).stdout,
    /\| unresolved \| allocations this log lost \| \? \| 1 \| \? \| lost \(shown at 6\) \|/,
  );
  // --unresolved allow lets them pass, as any unresolved block.
  assert.equal(spylog(['check', lost, '--unresolved', 'allow']).status, 0);
  // The run before the change, which did not leak, against this one: diff sees one new block.
  const clean = join(tmp, 'clean.log');
  writeFileSync(
    clean,
    readFileSync(lost, 'latin1')
      .replace('\rLoading 50%\rLoading 100%MALLOC SPY: 0x00132000 - 64 bytes allocated\r\nCoTaskMemAlloc(64) returns 0x00132000\r\n', '')
      .replace('1 blocks remaining', '0 blocks remaining'),
  );
  assert.equal(spylog(['check', clean]).status, 0);
  const d = spylog(['diff', '--fail-on-new', 'unresolved', clean, lost]);
  assert.equal(d.status, 1, d.stdout);
  assert.match(d.stdout, /\+ \? bytes x 1 in allocations this log lost: unresolved \(B only\)/);
});

test("the debug CRT's own leak report inside a spy log is said, in the report and in check's text (attack notes #108)", () => {
  const lines = readFileSync(fixture('w2k-console.log'), 'utf8').split('\n');
  const dump = lines.findIndex((l) => l.startsWith('MALLOC SPY: detected'));
  // _CrtDumpMemoryLeaks() at the end of main: its report after the spy's dump, before the exit-time frees.
  let end = dump + 1;
  while (/^0x/.test(lines[end]!)) end++;
  const crt = [
    'Detected memory leaks!',
    'Dumping objects ->',
    '{96} normal block at 0x00344F10, 100 bytes long.',
    ' Data: <    > CD CD CD CD',
    'Object dump complete.',
  ];
  const path = join(tmp, 'spy-and-crt.log');
  writeFileSync(path, [...lines.slice(0, end), ...crt, ...lines.slice(end)].join('\n'));
  const r = analyzeBuffer(readFileSync(path));
  assert.equal(r.dialect, undefined, 'still read as the spy log it is');
  assert.deepEqual(
    r.anomalies.filter((a) => a.kind === 'crt-leak-report').map((a) => a.line),
    [end + 1],
  );
  const text = spylog(['check', path]);
  assert.match(text.stdout, new RegExp(`! line ${end + 1}: the C runtime's debug heap reports leaks here: .*--dialect crt`));
  // The formats a person reads in CI say it too (attack notes #118d).
  assert.match(
    spylog(['check', path, '-f', 'github']).stdout,
    new RegExp(`^::warning title=spylog%3A the C runtime reports leaks::Line ${end + 1} of the log: `, 'm'),
  );
  assert.match(
    spylog(['check', path, '-f', 'markdown']).stdout,
    new RegExp(`^> ⚠️ Line ${end + 1}: the C runtime's debug heap reports leaks here`, 'm'),
  );
  // And the formats a CI system reads: a warning of the run in SARIF (no rule: it judges nothing), a
  // property and the output in JUnit, an `info` entry in Code Quality; each still valid for its consumer.
  const sarif = JSON.parse(spylog(['check', path, '-f', 'sarif']).stdout);
  assert.deepEqual(sarifProblems(sarif), []);
  const notice = sarif.runs[0].invocations[0].toolExecutionNotifications[0];
  assert.deepEqual(
    [notice.descriptor.id, notice.level, notice.locations[0].physicalLocation.region.startLine],
    ['spylog/crt-leak-report', 'warning', end + 1],
  );
  assert.match(notice.message.text, /^the C runtime's debug heap reports leaks here/);
  assert.deepEqual(
    sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId),
    ['spylog/true-leak'],
    "the spy's own leak only: the gate judged none of the C runtime's",
  );
  const junit = spylog(['check', path, '-f', 'junit']).stdout;
  assert.deepEqual(junitErrors(junit), []);
  assert.match(junit, new RegExp(`<property name="crt-leak-report" value="line ${end + 1}: the C runtime&apos;s debug heap reports leaks here`));
  assert.match(junit, new RegExp(`<system-out>FAIL.*\nLine ${end + 1} of the log: the C runtime's debug heap`));
  // (Read from stdin: Code Quality wants paths in the repository, and this log is in a temporary folder.)
  const cq = JSON.parse(spylog(['check', '-', '-f', 'codequality'], { input: readFileSync(path) }).stdout);
  assert.deepEqual(codeQualityProblems(cq), []);
  assert.deepEqual(
    cq.map((e: { check_name: string; severity: string }) => [e.check_name, e.severity]),
    [
      ['spylog/true-leak', 'major'],
      ['spylog/crt-leak-report', 'info'],
    ],
  );
  assert.equal(cq[1].location.lines.begin, end + 1);
  // Read in the CRT's dialect, the same file's report is a leak.
  assert.equal(spylog(['check', '--dialect', 'crt', path]).status, 1);
});
