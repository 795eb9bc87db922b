// The README's example report is the real output for its fixture, not a mock-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, spylog } from './helpers.js';

test('README: the example text report is what spylog prints for fixtures/w2k-console.log', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const marker = 'with two deliberate leaks):\n\n```\n';
  const start = readme.indexOf(marker);
  assert.ok(start > 0, 'example block found');
  const example = readme.slice(start + marker.length, readme.indexOf('```\n', start + marker.length));
  assert.equal(example, spylog(['report', 'fixtures/w2k-console.log']).stdout);
});

test('README: .ci/run runs the quick start, line for line', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const quick = readme.slice(readme.indexOf('## Quick start'));
  const block = /```sh\n([^`]*)```/.exec(quick)?.[1] ?? '';
  const commands = block.split('\n').filter((l) => l.trim() !== '');
  assert.deepEqual(commands.slice(0, 2), ['npm ci', 'npm run build']);
  assert.ok(commands.includes('npm test'));
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  const quickInCi = ci
    .slice(ci.indexOf('# The quick start:\n'))
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '');
  assert.deepEqual(quickInCi, commands);
});

test('README: the help shown is what `spylog report --help` prints, and every option of every command is described', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const marker = '`spylog report --help`, at 80 columns:\n\n```\n';
  const start = readme.indexOf(marker);
  assert.ok(start > 0, 'help block found');
  const shown = readme.slice(start + marker.length, readme.indexOf('```\n', start + marker.length));
  assert.equal(shown, spylog(['report', '--help']).stdout);
  for (const name of ['report', 'diff', 'check', 'baseline']) {
    const { spec } = (await import(`../src/cli/commands/${name}.js`)) as { spec: { options: Record<string, unknown> } };
    for (const option of Object.keys(spec.options))
      assert.ok(readme.includes(`--${option}`) || readme.includes(`--no-${option}`), `${name} --${option} is in the README`);
  }
});

test('README: the completeness table is the rule table, row for row', async () => {
  const { COMPLETENESS_RULES } = await import('../src/verdict/completeness.js');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Completeness'), readme.indexOf('The `lines-missing` rule'));
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  assert.deepEqual(
    rows,
    COMPLETENESS_RULES.map((r) => `| \`${r.id}\` | \`${r.verdict}\` | ${r.when} |`),
  );
});

test('README: the layout table names every folder of src/', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const layout = readme.slice(readme.indexOf('## Development'), readme.indexOf('### Library'));
  const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory());
  assert.ok(folders.length >= 10);
  for (const f of folders) assert.ok(layout.includes(`| \`src/${f.name}/\` |`), `src/${f.name}/ is in the layout table`);
});
