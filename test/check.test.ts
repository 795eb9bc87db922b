// `spylog check` and `spylog baseline` end to end: the redirected-capture scenario, stale
// baselines, thresholds, policies, every exit code, and valid JUnit and SARIF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from 'jsonschema';
import { SaxesParser } from 'saxes';
import { analyzeBuffer } from '../src/analyze.js';
import { parseBaseline } from '../src/baseline/read.js';
import { gate } from '../src/check/index.js';
import { DEFAULT_THRESHOLDS } from '../src/check/gate.js';
import { renderJunit } from '../src/check/reporters/junit.js';
import { xmlAttr, xmlText } from '../src/text/xml.js';
import { ROOT, fixture, spylog } from './helpers.js';

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
  assert.equal(text.stdout.trimEnd().split('\n').at(-1), 'PASS: no true leaks \u2014 11 runtime-held blocks matched the baseline');

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
    'FAIL: 2 true leaks (128 bytes) \u2014 11 runtime-held blocks matched the baseline; failed: true-leaks',
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
  assert.match(c.stdout, /PASS: no true leaks \u2014 2 runtime-held blocks matched the baseline\n$/);
  // Without the baseline the same log cannot be decided, and the message says how to.
  const u = spylog(['check', 'fixtures/real/leak2-redirected.log']);
  assert.equal(u.status, 1);
  assert.match(
    u.stdout,
    /\[FAIL\] no unresolved blocks: 2 blocks \(128 bytes\) never freed, but the log is possibly-truncated: .*--baseline FILE .*console/,
  );
  assert.match(u.stdout, /FAIL: no true leaks, 2 unresolved blocks \(128 bytes, log possibly-truncated\) \u2014 failed: unresolved\n$/);
});

test('a baseline that no longer matches (a runtime block missing) is reported as stale', () => {
  const kr = consoleBaseline();
  // The redirected run, but the runtime no longer allocates its 44-byte block.
  const log = readFileSync(fixture('w2k-redirected-noleak.log'), 'utf8')
    .split('\n')
    .filter((l) => !l.includes('0x0013A030'))
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
  assert.match(text.stdout, /PASS: no true leaks \u2014 10 runtime-held blocks matched the baseline; baseline stale \(1 entry unmatched\)\n$/);
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
    [['check', 'fixtures/w2k-redirected.log', '--max-leak-bytes', '-1'], /^spylog: --max-leak-bytes needs a whole number >= 0\n$/],
    [
      ['check', 'fixtures/w2k-redirected.log', '--unresolved', 'maybe'],
      /^spylog: --unresolved must be one of fail, warn, allow \(got 'maybe'\); see spylog check --help\n$/,
    ],
    [
      ['check', 'fixtures/w2k-redirected.log', '-f', 'junit', '-o', 'fixtures/w2k-console.log/junit.xml'],
      /^spylog: cannot write fixtures\/w2k-console\.log\/junit\.xml: (ENOTDIR|EEXIST)\n$/,
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

test('JUnit: well-formed XML with a test case per gate and per leaked group', () => {
  const kr = consoleBaseline();
  const out = join(tmp, 'reports', 'junit.xml'); // the folder is created
  const r = spylog(['check', 'fixtures/w2k-redirected.log', '-b', kr, '-f', 'junit', '-o', out]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, 'FAIL: 2 true leaks (128 bytes) \u2014 11 runtime-held blocks matched the baseline; failed: true-leaks\n');
  const { names, attrs } = parseXml(readFileSync(out, 'utf8'));
  assert.equal(names[0], 'testsuites');
  const cases = attrs.filter((_a, i) => names[i] === 'testcase').map((a) => `${a.classname} | ${a.name}`);
  assert.deepEqual(cases, [
    'spylog.gate | true leaks <= 0',
    'spylog.gate | no unresolved blocks',
    'spylog.gate | baseline is current',
    'spylog.leak | true-leak in CoTaskMemAlloc: 2 x 64 bytes',
  ]);
  assert.equal(names.filter((n) => n === 'failure').length, 2);
  assert.deepEqual((({ tests, failures }) => ({ tests, failures }))(attrs[1]!), { tests: '4', failures: '2' });
});

test('JUnit stays parseable when a log brings characters XML 1.0 forbids', () => {
  const log = ['CoRegisterMallocSpy() returns 0x00000000', 'MALLOC SPY: 0x00100000 - 10 bytes allocated', 'Called CoUninitialize()', ''].join('\n');
  const report = analyzeBuffer(log, { source: 'a<b>&"c\u0001.log', assumeComplete: true });
  report.blocks[0]!.context = 'Do\u0000\u0001\u001b<&>"\'\uFFFE\uD800Thing';
  const result = gate(report, DEFAULT_THRESHOLDS);
  const xml = renderJunit(result);
  const { attrs, names } = parseXml(xml);
  const leak = attrs.find((a, i) => names[i] === 'testcase' && a.classname === 'spylog.leak');
  assert.equal(leak?.name, 'true-leak in Do<&>"\'Thing: 1 x 10 bytes');
  assert.equal(xmlText('a\u0007<b>'), 'a&lt;b&gt;');
  assert.equal(xmlAttr('x"\n'), 'x&quot;&#10;');
});

test("SARIF: validates against the SARIF 2.1.0 schema; results point at each leak's allocation line", () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'test', 'schemas', 'sarif-2.1.0.json'), 'utf8'));
  const kr = consoleBaseline();
  const validator = new Validator();
  for (const args of [
    ['check', 'fixtures/w2k-redirected.log', '-b', kr],
    ['check', 'fixtures/w2k-redirected-noleak.log', '--unresolved', 'warn'],
    ['check', 'fixtures/w2k-console-noleak.log'],
  ]) {
    const r = spylog([...args, '-f', 'sarif']);
    const sarif = JSON.parse(r.stdout);
    const v = validator.validate(sarif, schema);
    assert.deepEqual(
      v.errors.map((e) => e.stack),
      [],
      args.join(' '),
    );
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs[0].tool.driver.name, 'spylog');
  }
  const sarif = JSON.parse(spylog(['check', 'fixtures/w2k-redirected.log', '-b', kr, '-f', 'sarif']).stdout);
  // The schema does bite: a result without its message is rejected.
  const broken = structuredClone(sarif);
  delete broken.runs[0].results[0].message;
  assert.notEqual(validator.validate(broken, schema).errors.length, 0);
  const results = sarif.runs[0].results;
  assert.deepEqual(
    results.map(
      (x: {
        ruleId: string;
        level: string;
        locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
      }) => [x.ruleId, x.level, x.locations[0]!.physicalLocation.artifactLocation.uri, x.locations[0]!.physicalLocation.region.startLine],
    ),
    [
      ['spylog/true-leak', 'error', 'fixtures/w2k-redirected.log', 3],
      ['spylog/true-leak', 'error', 'fixtures/w2k-redirected.log', 5],
    ],
  );
  assert.notEqual(results[0].partialFingerprints['spylogBlock/v1'], results[1].partialFingerprints['spylogBlock/v1']);
  // The check of a console capture of the same program gives the same fingerprints: they do not depend on addresses or lines.
  const again = JSON.parse(spylog(['check', 'fixtures/w2k-console.log', '-f', 'sarif']).stdout).runs[0].results;
  assert.deepEqual(
    again.map((x: { partialFingerprints: unknown }) => x.partialFingerprints),
    results.map((x: { partialFingerprints: unknown }) => x.partialFingerprints),
  );
});

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
    assert.match(pass.stdout, /PASS: no true leaks — 22 runtime-held blocks matched the baseline\n$/);
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
    assert.match(r.stdout, /PASS: no true leaks — 11 runtime-held blocks matched the baseline\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
