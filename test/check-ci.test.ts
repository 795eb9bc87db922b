// `spylog check`'s CI formats beyond JUnit and SARIF (GitLab Code Quality, GitHub
// annotations, the Markdown job summary), the job summary appended to $GITHUB_STEP_SUMMARY,
// and several outputs from one analysis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, runMain } from './helpers.js';
import { annotationProblems, codeQualityProblems, junitErrors, sarifProblems, workflowCommands } from './ci-formats.js';

const tmp = mkdtempSync(join(tmpdir(), 'spylog-ci-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const BASELINE = 'fixtures/baselines/w2k-known-runtime.csv';

/** The same program run again: other addresses, one more leaked 64-byte block, every line after it moved. */
function anotherRun(): string {
  const log = readFileSync(fixture('w2k-redirected.log'), 'utf8');
  const moved = log.replace(
    /0x([0-9A-F]{8})/g,
    (_m, h: string) => '0x' + ((parseInt(h, 16) + 0x10000) >>> 0).toString(16).toUpperCase().padStart(8, '0'),
  );
  const grown = moved.replace(/^(MALLOC SPY: 0x0024A050 - 64 bytes allocated\n)/m, 'Banner line\n$1MALLOC SPY: 0x0024A0A0 - 64 bytes allocated\n');
  assert.notEqual(grown, moved);
  writeFileSync(join(tmp, 'again.log'), grown);
  return join(tmp, 'again.log');
}

/** A complete log with one leaked block per size 1..n, allocated in a context named by a program line. */
function manySites(n: number, context = 'CoTaskMemAlloc() returns 0x00000000'): string {
  const lines = ['CoRegisterMallocSpy() returns 0x00000000'];
  for (let size = 1; size <= n; size++)
    lines.push(`MALLOC SPY: 0x${(0x100000 + size * 0x10000).toString(16).toUpperCase()} - ${size} bytes allocated`);
  lines.push(context, 'Called CoUninitialize()', '');
  const path = join(tmp, `many-${n}-${Buffer.from(context).toString('hex').slice(0, 16)}.log`);
  writeFileSync(path, lines.join('\n'));
  return path;
}

test('Code Quality: GitLab accepts every entry; fingerprints are the SARIF identity and survive another run', async () => {
  for (const args of [
    ['fixtures/w2k-redirected.log'],
    ['fixtures/w2k-redirected.log', '-b', BASELINE],
    ['fixtures/w2k-redirected-noleak.log', '-b', 'fixtures/baselines/w2k-stale.csv'],
    ['fixtures/w2k-console-noleak.log'],
    ['fixtures/capture/crt-dump.log'],
    ['fixtures/capture/debugview-pids.log'],
  ]) {
    const r = await runMain(['check', ...args, '-f', 'codequality']);
    assert.notEqual(r.status, 2, r.stderr);
    assert.deepEqual(codeQualityProblems(JSON.parse(r.stdout)), [], args.join(' '));
    const sarif = JSON.parse((await runMain(['check', ...args, '-f', 'sarif'])).stdout);
    assert.deepEqual(
      JSON.parse(r.stdout).map((x: { fingerprint: string }) => x.fingerprint),
      sarif.runs[0].results.map((x: { fingerprints: Record<string, string> }) => x.fingerprints['spylog/v1']),
    );
  }
  const again = anotherRun();
  for (const extra of [[], ['-b', BASELINE]]) {
    const fps = async (log: string) =>
      JSON.parse((await runMain(['check', log, '--name', 'app', '-f', 'codequality', ...extra])).stdout)
        .map((x: { check_name: string; fingerprint: string }) => `${x.check_name} ${x.fingerprint}`)
        .sort();
    assert.deepEqual(await fps(again), await fps('fixtures/w2k-redirected.log'), extra.join(' '));
  }
  const severities = JSON.parse((await runMain(['check', 'fixtures/w2k-redirected.log', '--unresolved', 'warn', '-f', 'codequality'])).stdout).map(
    (x: { severity: string }) => x.severity,
  );
  assert.deepEqual([...new Set(severities)], ['minor']);
});

test('GitHub annotations: at most 10, the rest counted in the last; valid workflow commands; nothing from the log becomes a command', async () => {
  const r = await runMain(['check', manySites(25), '--assume-complete', '-f', 'github']);
  assert.equal(r.status, 1);
  assert.deepEqual(annotationProblems(r.stdout), []);
  const commands = workflowCommands(r.stdout);
  assert.equal(commands.length, 10);
  assert.deepEqual(commands[0]!.properties, { title: 'spylog: true-leak: CoTaskMemAlloc, 25 bytes' });
  assert.equal(commands[9]!.properties.title, 'spylog: 16 more findings');
  assert.match(commands[9]!.message, /^16 more findings \(16 true-leak\): the job summary/);
  assert.equal(r.stdout.trimEnd().split('\n').at(-1), 'FAIL: 25 true leaks (325 bytes) \u2014 failed: true-leaks');

  // A program line that looks like workflow commands and escapes becomes the context of a leak.
  const evil = '::add-mask::secret %0A::error::x 100%, a:b';
  const e = await runMain(['check', manySites(1, evil), '--assume-complete', '-f', 'github', '--anchor', 'README.md:3']);
  assert.deepEqual(annotationProblems(e.stdout), []);
  const [only, ...more] = workflowCommands(e.stdout);
  assert.equal(more.length, 0, e.stdout);
  assert.equal(only!.command, 'error');
  assert.deepEqual(only!.properties, { file: 'README.md', line: '3', title: `spylog: true-leak: ${evil}, 1 byte` });
  assert.ok(only!.message.includes(evil), only!.message);

  // Located in a committed file: file and line; in the log: an annotation of the run.
  const b = workflowCommands((await runMain(['check', 'fixtures/w2k-redirected.log', '-b', BASELINE, '-f', 'github'])).stdout);
  assert.deepEqual(b[0]!.properties, {
    file: 'fixtures/baselines/w2k-known-runtime.csv',
    line: '6',
    title: 'spylog: true-leak: CoTaskMemAlloc, 64 bytes',
  });
  const pass = await runMain(['check', 'fixtures/w2k-console-noleak.log', '-f', 'github']);
  assert.equal(pass.stdout, 'PASS: no true leaks \u2014 11 blocks held by the runtime until ExitProcess\n');
});

test('Markdown job summary: capped tables under the size limit, log text escaped', async () => {
  const r = await runMain(['check', manySites(5100), '--assume-complete', '-f', 'markdown']);
  assert.equal(r.status, 1);
  assert.ok(Buffer.byteLength(r.stdout) < 256 * 1024, `${Buffer.byteLength(r.stdout)} bytes`);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('| \u274c | true-leak |'));
  assert.equal(rows.length, 50);
  assert.match(r.stdout, /_5,050 more findings not shown: the JUnit, SARIF or JSON output lists them all\._/);

  const html = '<img src=x onerror=alert(1)> | **bold** [link](http://x) @someone `tick`';
  const m = await runMain(['check', manySites(1, html), '--assume-complete', '-f', 'markdown']);
  const row = m.stdout.split('\n').find((l) => l.startsWith('| \u274c |'))!;
  assert.equal(row.split(/(?<!\\)\|/).length, 10, `the row keeps its 8 cells: ${row}`);
  assert.ok(!/(?<!\\)<img|(?<!\\)\*\*bold|(?<!\\)\[link|(?<!\\)@someone|(?<!\\)`tick/.test(row), row);
});

test('GITHUB_STEP_SUMMARY: the job summary is appended, once per check, unless --no-step-summary', async () => {
  const summary = join(tmp, 'step-summary.md');
  writeFileSync(summary, '# earlier step output\n');
  const env = { GITHUB_STEP_SUMMARY: summary };
  const a = await runMain(['check', 'fixtures/w2k-redirected.log', '-b', BASELINE, '-f', 'junit', '-o', join(tmp, 's1.xml')], { env });
  assert.equal(a.status, 1);
  const b = await runMain(['check', 'fixtures/w2k-console-noleak.log'], { env });
  assert.equal(b.status, 0);
  const text = readFileSync(summary, 'utf8');
  assert.ok(text.startsWith('# earlier step output\n\n### \u274c spylog check `w2k-redirected`: FAIL\n'), text);
  assert.match(text, /\n### \u2705 spylog check `w2k-console-noleak`: PASS\n/);
  await runMain(['check', 'fixtures/w2k-console-noleak.log', '--no-step-summary'], { env });
  assert.equal(readFileSync(summary, 'utf8'), text);
  // A summary file that cannot be written is a write error like any other output.
  const bad = await runMain(['check', 'fixtures/w2k-console-noleak.log'], {
    env: { GITHUB_STEP_SUMMARY: 'fixtures/w2k-console.log/x.md' },
  });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, 'spylog: cannot write fixtures/w2k-console.log/x.md: a part of the path is a file, not a folder\n');
});

test('several outputs from one analysis: -f FORMAT -o FILE pairs, standard input read once', async () => {
  const dir = join(tmp, 'multi', 'deeper');
  const files = {
    junit: join(dir, 'spylog.xml'),
    sarif: join(dir, 'spylog.sarif'),
    codequality: join(dir, 'gl-code-quality.json'),
    md: join(dir, 'summary.md'),
  };
  const log = readFileSync(fixture('w2k-redirected.log'));
  const r = await runMain(
    [
      'check',
      '-',
      '--name',
      'app',
      '-b',
      BASELINE,
      '-f',
      'junit',
      '-o',
      files.junit,
      '-f',
      'sarif',
      '-o',
      files.sarif,
      '-f',
      'codequality',
      '-o',
      files.codequality,
      '-f',
      'markdown',
      '-o',
      files.md,
    ],
    { stdin: log },
  );
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, 'FAIL: 2 true leaks (128 bytes) - 11 runtime-held blocks matched the baseline; failed: true-leaks\n');
  assert.deepEqual(junitErrors(readFileSync(files.junit, 'utf8')), []);
  assert.deepEqual(sarifProblems(JSON.parse(readFileSync(files.sarif, 'utf8'))), []);
  assert.deepEqual(codeQualityProblems(JSON.parse(readFileSync(files.codequality, 'utf8'))), []);
  assert.match(readFileSync(files.md, 'utf8'), /^### \u274c spylog check `app`: FAIL/);

  // The last format may go to standard output.
  const gh = await runMain(['check', 'fixtures/w2k-redirected.log', '-b', BASELINE, '-f', 'junit', '-o', join(tmp, 'o2.xml'), '-f', 'github']);
  assert.match(gh.stdout, /^::error file=fixtures\/baselines\/w2k-known-runtime\.csv,line=6,/);
  assert.ok(existsSync(join(tmp, 'o2.xml')));
  // -o alone writes the text report, as before.
  const text = await runMain(['check', 'fixtures/w2k-console-noleak.log', '-o', join(tmp, 'o3.txt')]);
  assert.match(readFileSync(join(tmp, 'o3.txt'), 'utf8'), /^spylog check: fixtures\/w2k-console-noleak\.log\n/);
  assert.equal(text.stdout, 'PASS: no true leaks - 11 blocks held by the runtime until ExitProcess\n');

  const usage: [string[], RegExp][] = [
    [['-f', 'github', '-f', 'junit', '-o', 'x.xml'], /^spylog: write each --format \(-f\) followed by its --output \(-o\)/],
    [['-f', 'junit', '-f', 'sarif'], /^spylog: write each --format \(-f\) followed by its --output \(-o\)/],
    [['-f', 'junit', '-o', 'a.xml', '-o', 'b.xml'], /^spylog: write each --format/],
    [['-o', 'a.txt', '-o', 'b.txt'], /^spylog: 2 --output files but no --format/],
    [['-f', 'junit', '-o', 'a.xml', '-f', 'sarif', '-o', './a.xml'], /^spylog: \.\/a\.xml is given as --output twice/],
    [
      ['-f', 'yaml'],
      /^spylog: --format must be one of text, json, junit, sarif, codequality, github, markdown \(got 'yaml'\); see spylog check --help\n$/,
    ],
    [['--name', ''], /^spylog: --name needs a name \(got ''\)/],
  ];
  for (const [extra, stderr] of usage) {
    const u = await runMain(['check', 'fixtures/w2k-console-noleak.log', ...extra], { cwd: tmp });
    assert.equal(u.status, 2, extra.join(' '));
    assert.match(u.stderr, stderr, extra.join(' '));
    assert.equal(u.stdout, '');
  }
});

test('CRT dumps: allocation numbers and source lines stay out of the identity; same-size blocks of one file are one finding', async () => {
  const dump = (n: number[], line: number) =>
    [
      'Detected memory leaks!',
      'Dumping objects ->',
      `c:\\src\\app\\main.cpp(${line}) : {${n[0]}} normal block at 0x00C08E80, 16 bytes long.`,
      ' Data: <                > 07 00 00 00 CD CD CD CD CD CD CD CD CD CD CD CD ',
      `{${n[1]}} normal block at 0x00C08E30, 24 bytes long.`,
      ' Data: <H e l l o   w o > 48 00 65 00 6C 00 6C 00 6F 00 20 00 77 00 6F 00 ',
      `{${n[2]}} normal block at 0x00C08F30, 24 bytes long.`,
      ' Data: <H e l l o   w o > 48 00 65 00 6C 00 6C 00 6F 00 20 00 77 00 6F 00 ',
      'Object dump complete.',
      '',
    ].join('\n');
  const a = join(tmp, 'crt-a.log');
  const b = join(tmp, 'crt-b.log');
  writeFileSync(a, dump([813, 812, 900], 42));
  writeFileSync(b, dump([1013, 1012, 1100], 57));
  const sarif = async (log: string) => JSON.parse((await runMain(['check', log, '--name', 'app', '--source-root', 'C:\\src', '-f', 'sarif'])).stdout);
  const sa = await sarif(a);
  assert.deepEqual(sarifProblems(sa), []);
  const results = sa.runs[0].results;
  assert.deepEqual(
    results.map((x: { properties: { context: string; blocks: number } }) => `${x.properties.context} x${x.properties.blocks}`),
    ['(normal block) x2', 'c:\\src\\app\\main.cpp (normal block) x1'],
  );
  assert.equal(results[1].locations[0].physicalLocation.artifactLocation.uri, 'app/main.cpp');
  assert.equal(results[1].locations[0].physicalLocation.region.startLine, 42);
  assert.match(results[0].message.text, /CRT allocation numbers: #812, #900 \(for _CrtSetBreakAlloc\)/);
  const fps = (s: { runs: { results: { partialFingerprints: { primaryLocationLineHash: string } }[] }[] }) =>
    s.runs[0]!.results.map((x) => x.partialFingerprints.primaryLocationLineHash);
  const sb = await sarif(b);
  assert.deepEqual(fps(sb), fps(sa), 'other allocation numbers and another source line: the same alerts');
  assert.equal(sb.runs[0].results[1].locations[0].physicalLocation.region.startLine, 57, 'the alert moves with the source line');
  const junit = (await runMain(['check', a, '-f', 'junit'])).stdout;
  assert.deepEqual(junitErrors(junit), []);
  assert.match(junit, /name="true-leak: \(normal block\), 24 bytes"/);
});
