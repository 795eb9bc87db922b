// The command line as yargs reads it, configured from the option tables: what each word
// becomes, what is refused and how, and the same results whichever way yargs is loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommand, UsageError } from '../src/cli/args.js';
import { yargsEntry } from '../src/cli/yargs.js';
import type { CommandSpec } from '../src/cli/spec.js';
import { spawnSync } from 'node:child_process';
import { pairOutputs } from '../src/cli/commands/check.js';
import type { CheckFormat } from '../src/check/reporters/formats.js';
import { BIN, ROOT, fixture } from './helpers.js';

const specs = async (): Promise<Record<string, CommandSpec>> => {
  const out: Record<string, CommandSpec> = {};
  for (const name of ['report', 'diff', 'check', 'baseline'])
    out[name] = ((await import(`../src/cli/commands/${name}.js`)) as { spec: CommandSpec }).spec;
  return out;
};

/** The arguments, or the usage error's message. */
async function parse(command: string, words: string[], entry?: 'factory' | 'index'): Promise<Record<string, unknown> | string> {
  const all = await specs();
  try {
    return await parseCommand(
      words,
      all[command]!,
      Object.values(all).filter((s) => s.name !== command),
      entry,
    );
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
}

test('yargs is loaded through its factory with the small shim (the cheap way), for the yargs in package.json', async () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.equal(pkg.dependencies.yargs, '18.2.0');
  assert.equal(await yargsEntry(), 'factory', 'a yargs upgrade moved its factory: yargs.ts now loads the full entry (~50 ms more at start-up)');
});

test('values: defaults, short clusters, joined values, repeats, numbers, negation, names that look like numbers', async () => {
  const r = (await parse('report', ['x.log'])) as Record<string, unknown>;
  assert.equal(r.format, 'text');
  assert.equal(r.maxLineLength, 65536);
  assert.equal(r.assumeComplete, false);
  assert.equal(r.color, undefined, 'no --color: decided by the environment');
  assert.deepEqual(r.couninitializeMarker, ['Called CoUninitialize()', 'Called OleUninitialize()']);
  assert.deepEqual(r.logs, ['x.log']);
  const pick = async (command: string, words: string[], ...keys: string[]) => {
    const got = await parse(command, words);
    assert.equal(typeof got, 'object', `${words.join(' ')}: ${String(got)}`);
    return Object.fromEntries(keys.map((k) => [k, (got as Record<string, unknown>)[k]]));
  };
  assert.deepEqual(await pick('report', ['-qfjson', 'x.log'], 'quiet', 'format', 'logs'), { quiet: true, format: 'json', logs: ['x.log'] });
  assert.deepEqual(await pick('report', ['-fcsv', 'x.log', '-b', 'k.csv'], 'format', 'baseline'), { format: 'csv', baseline: 'k.csv' });
  assert.deepEqual(await pick('report', ['--format=json', '--format', 'json', 'x.log'], 'format'), { format: 'json' }, 'the same value twice');
  assert.deepEqual(await pick('report', ['--couninitialize-marker', 'A', 'x.log', '--couninitialize-marker=B'], 'couninitializeMarker'), {
    couninitializeMarker: ['A', 'B'],
  });
  assert.deepEqual(await pick('report', ['--max-line-length', '1e3', '123'], 'maxLineLength', 'logs'), { maxLineLength: 1000, logs: ['123'] });
  // A value that starts with a dash: taken when it is no option of the command.
  assert.deepEqual(await pick('report', ['--spy-prefix', '--weird', 'x.log'], 'spyPrefix'), { spyPrefix: '--weird' });
  assert.deepEqual(await pick('report', ['x.log', '--no-assume-complete', '--no-color'], 'assumeComplete', 'color'), {
    assumeComplete: false,
    color: false,
  });
  assert.deepEqual(await pick('report', ['--color=always', 'x.log'], 'color'), { color: true });
  assert.deepEqual(await pick('report', ['-', '--', '-odd.log', '--format'], 'logs', 'format'), {
    logs: ['-', '-odd.log', '--format'],
    format: 'text',
  });
  assert.deepEqual(await pick('diff', ['a', '-', '--fail-on-new', 'any'], 'a', 'b', 'failOnNew'), { a: 'a', b: '-', failOnNew: 'any' });
  assert.deepEqual(
    await pick('check', ['x', '-f', 'junit', '-o', 'j.xml', '-fsarif', '-o', 's.sarif'], 'format', 'output', 'maxLeaks', 'stepSummary'),
    {
      format: ['junit', 'sarif'],
      output: ['j.xml', 's.sarif'],
      maxLeaks: 0,
      stepSummary: true,
    },
  );
  assert.deepEqual(await pick('check', ['x', '--no-step-summary', '--max-leak-bytes', '64'], 'stepSummary', 'maxLeakBytes'), {
    stepSummary: false,
    maxLeakBytes: 64,
  });
});

test('refusals: unknown options never swallow a word; values, numbers, choices, counts', async () => {
  assert.equal(await parse('report', ['--asume-complete', 'a.log', 'b.log']), 'unknown option --asume-complete (did you mean --assume-complete?)');
  assert.equal(await parse('report', ['a.log', '--asume-complete=yes']), 'unknown option --asume-complete (did you mean --assume-complete?)');
  assert.equal(await parse('report', ['-qx', 'a.log']), "unknown option -x (report's short options: -f -b -q -h)");
  assert.equal(
    await parse('report', ['a.log', '--no-format']),
    'unknown option --no-format (--format takes a value; only switches have a --no- form)',
  );
  assert.equal(await parse('report', ['a.log', '--no-step-summary']), 'unknown option --no-step-summary: check takes it, report does not');
  assert.equal(await parse('report', ['a.log', '--a.b']), 'unknown option --a.b');
  assert.equal(await parse('report', ['a.log', '--quiet=yes']), "--quiet takes no value (got '--quiet=yes')");
  assert.equal(await parse('report', ['a.log', '-f']), '--format needs a value (FORMAT)');
  assert.equal(await parse('report', ['a.log', '-b', '--assume-complete']), '--baseline needs a value (FILE)');
  assert.equal(await parse('report', ['a.log', '-fq']), "--format must be one of text, json, csv (got 'q')");
  assert.equal(await parse('report', ['a.log', '--format', 'JSON']), "--format must be one of text, json, csv (got 'JSON'; did you mean json?)");
  assert.equal(
    await parse('check', ['a.log', '-f', 'junit', '-f', 'xml']),
    "--format must be one of text, json, junit, sarif, codequality, github, markdown (got 'xml')",
  );
  assert.equal(await parse('report', ['a.log', '--episode-threshold', '']), "--episode-threshold needs a number (got '')");
  assert.equal(await parse('report', ['a.log', '--max-line-length', '0x10']), "--max-line-length needs a number (got '0x10')");
  assert.equal(await parse('report', []), 'no log file given: spylog report <logs...> (- reads standard input)');
  assert.equal(await parse('diff', ['a']), 'diff needs 2 log files (got 1): spylog diff <a> <b> (- reads standard input)');
  assert.equal(await parse('check', []), 'check needs a log file: spylog check <log> (- reads standard input)');
  assert.equal(await parse('baseline', ['a', 'b', '--', 'c']), "unexpected arguments 'b' 'c': spylog baseline <log>");
});

test('the full yargs entry and the factory with the small shim read every command line alike', async () => {
  const corpus: [string, string[]][] = [
    ['report', ['x.log']],
    ['report', ['-qfjson', 'a', 'b', '-']],
    ['report', ['--format', 'csv', '--html', 'r.html', '-b', 'k.csv', '--assume-complete', 'x']],
    ['report', ['--episode-threshold', '5', '--dialect', 'crt', '--max-line-length=100', 'x']],
    ['report', ['--couninitialize-marker', 'A', '--couninitialize-marker', 'B', '--revoke-marker', 'R', 'x']],
    ['report', ['--spy-prefix', '--weird', '--dump-marker=-x', 'x']],
    ['report', ['--', '-odd', '--format', 'json']],
    ['report', ['--color=never', '--colour', 'x']],
    ['report', ['--asume-complete', 'a', 'b']],
    ['report', ['x', '--format', 'xml']],
    ['report', ['x', '--max-line-length', 'abc']],
    ['report', ['x', '-b']],
    ['report', ['x', '--no-format']],
    ['report', []],
    ['diff', ['a', 'b', '--fail-on-new', 'true-leak', '-f', 'json']],
    ['diff', ['a', 'b', 'c']],
    ['diff', ['a', 'b', '--fail-on-new', 'new']],
    ['check', ['x', '-f', 'junit', '-o', 'j.xml', '-f', 'sarif', '-o', 's.sarif', '--max-leaks', '3', '--unresolved', 'warn']],
    ['check', ['x', '--no-step-summary', '--name', 'n', '--anchor', 'a.c:3', '--source-root', '.', '--stale', 'allow']],
    ['check', ['x', '--max-leak-bytes', '1.5e2', '-q']],
    ['check', ['x', 'y']],
    ['baseline', ['x', '-q', '--dialect', 'mallocspy']],
    ['baseline', ['x', '--assume-complete']],
  ];
  for (const [command, words] of corpus) {
    assert.deepEqual(await parse(command, words, 'factory'), await parse(command, words, 'index'), `${command} ${words.join(' ')}`);
  }
});

test('PowerShell-style long options are refused by name, never read as help: a gate that printed help would exit 0 and pass', async () => {
  assert.equal(await parse('check', ['-Anchor', 'src/x.cpp', 'a.log']), 'unknown option -Anchor (did you mean --anchor?)');
  assert.equal(await parse('report', ['-Format', 'json', 'a.log']), 'unknown option -Format (did you mean --format?)');
  assert.equal(await parse('report', ['a.log', '-html', 'r.html']), 'unknown option -html (did you mean --html?)');
  const cli = (words: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...words], { encoding: 'utf8' });
    return { status: r.status, help: r.stdout.startsWith('Usage:') };
  };
  const log = fixture('w2k-console.log'); // two true leaks: the gate fails
  for (const words of [
    ['check', '-Anchor', 'x.cpp', log],
    ['check', log, '-threshold', '3'],
    ['check', log, '-hello'],
  ])
    assert.deepEqual(cli(words), { status: 2, help: false }, words.join(' '));
  assert.deepEqual(cli(['check', log, '--name', '-hello']), { status: 1, help: false }, 'a value is a value');
  for (const words of [
    ['check', '-h'],
    ['check', '-qh'],
    ['check', log, '--help'],
    ['help', 'check'],
  ])
    assert.deepEqual(cli(words), { status: 0, help: true });
});

test('an option given twice with two values is refused (two baselines must not silently become the last); empty file names; switches take no value', async () => {
  assert.equal(await parse('report', ['--format=csv', '--format', 'json', 'x.log']), "--format given 2 times ('csv', 'json'): give it once");
  assert.equal(await parse('check', ['x.log', '-b', 'a.csv', '-b', 'b.csv']), "--baseline given 2 times ('a.csv', 'b.csv'): give it once");
  assert.equal(await parse('report', ['--html=', 'x.log']), "--html needs a file name (got '')");
  assert.equal(await parse('check', ['-o', '', 'x.log']), "--output needs a file name (got '')");
  assert.equal(await parse('check', ['--name', '', 'x.log']), "--name needs a name (got '')");
  assert.equal(
    await parse('report', ['--trust-known-holders', 'false', 'x.log']),
    "--trust-known-holders is a switch and takes no value (got 'false'); a log of that name goes after --",
  );
  assert.equal(await parse('report', ['-q2', 'x.log']), 'unknown option -q2');
  assert.equal(await parse('report', ['-q-', 'x.log']), 'unknown option -q-');
  assert.equal(await parse('report', ['--constructor', 'x.log']), 'unknown option --constructor');
  assert.equal(await parse('report', ['--no-toString', 'x.log']), 'unknown option --no-toString');
});

test('check pairs each -f with its -o however the short options are written (-fjson, -qf json, -ojunit.xml)', () => {
  const both: CheckFormat[] = ['junit', 'sarif'];
  assert.deepEqual(pairOutputs(['json'], [], ['-qf', 'json', 'a.log']), [{ format: 'json', path: null }]);
  assert.deepEqual(pairOutputs(['json'], [], ['-fjson', 'a.log']), [{ format: 'json', path: null }]);
  assert.deepEqual(pairOutputs(both, ['j.xml'], ['-fjunit', '-oj.xml', '-qfsarif', 'a.log']), [
    { format: 'junit', path: 'j.xml' },
    { format: 'sarif', path: null },
  ]);
  assert.throws(() => pairOutputs(both, ['x'], ['-f', 'junit', '-f', 'sarif', '-o', 'x']), /followed by its --output/);
});
