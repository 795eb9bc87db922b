// The README's CI recipes work as written: the `spylog check` command of each recipe's YAML
// is taken from README.md, run in a folder laid out like a repository (a generated redirected
// log, a committed baseline, a source file to anchor to), and each file it writes is checked
// the way its CI system checks it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render, runLines, type RunOptions } from '../fixtures/synth.js';
import { ROOT, runMain } from './helpers.js';
import { annotationProblems, codeQualityProblems, junitErrors, sarifProblems, workflowCommands } from './ci-formats.js';

interface Recipe {
  title: string;
  argv: string[];
}

const RECIPES = ['GitHub Actions with code scanning', 'GitHub Actions without code scanning', 'GitLab CI', 'Azure Pipelines'];

/** The `spylog check` lines of the YAML blocks under "CI recipes", each with the bold title before its block. */
function readmeRecipes(): Recipe[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('### CI recipes');
  assert.ok(start >= 0, 'README.md has a "CI recipes" section');
  const section = readme.slice(start, readme.indexOf('\n## ', start));
  const recipes: Recipe[] = [];
  let title = '';
  for (const part of section.split(/^```/m).map((p, i) => ({ p, code: i % 2 === 1 }))) {
    if (!part.code) {
      const bold = [...part.p.matchAll(/\*\*([^*]+)\*\*/g)].at(-1);
      if (bold) title = bold[1]!;
      continue;
    }
    if (!part.p.startsWith('yaml\n')) continue;
    for (const line of part.p.split('\n')) {
      const at = line.indexOf('spylog check ');
      if (at >= 0) recipes.push({ title, argv: shellWords(line.slice(at)) });
    }
  }
  return recipes;
}

/** Words as bash splits them (quotes, no expansion); CI variables are replaced by folders of the test. */
function shellWords(line: string): string[] {
  const text = line.replace(/\$\(Build\.ArtifactStagingDirectory\)/g, 'staging');
  assert.doesNotMatch(text, /\$/, `a variable the test does not know in: ${line}`);
  const words: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (const m of text.matchAll(re)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** A repository as CI sees it after the test program ran: spy.log, ci/known-runtime.csv, src/main.cpp. */
async function repository(leaks: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'spylog-recipe-'));
  const run: RunOptions = { os: 'w2k', seed: 20250614, progId: 'ADODB.Recordset' };
  writeFileSync(join(dir, 'console.log'), render(runLines(run)));
  writeFileSync(join(dir, 'spy.log'), render(runLines({ ...run, extraLeaks: leaks, output: 'redirected' })));
  mkdirSync(join(dir, 'ci'));
  const baseline = await runMain(['baseline', 'console.log'], { cwd: dir });
  assert.equal(baseline.status, 0, baseline.stderr);
  writeFileSync(join(dir, 'ci', 'known-runtime.csv'), baseline.stdout);
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'main.cpp'), 'int main() { return 0; }\n');
  return dir;
}

test('README: no install of an unpublished package, and one recipe per CI system', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.doesNotMatch(readme, /npm install -g spylog|npx spylog check/);
  assert.deepEqual(
    readmeRecipes().map((r) => r.title),
    RECIPES,
  );
  for (const r of readmeRecipes()) assert.equal(r.argv.filter((a) => a === 'check').length, 1, `${r.title}: one check, one analysis`);
});

for (const title of RECIPES) {
  test(`README recipe "${title}": runs once and writes what its CI system accepts`, async () => {
    const recipe = readmeRecipes().find((r) => r.title === title)!;
    for (const [leaks, status] of [
      [2, 1],
      [0, 0],
    ] as const) {
      const dir = await repository(leaks);
      try {
        const summary = join(dir, 'step-summary.md');
        const env: Record<string, string> = title.startsWith('GitHub') ? { GITHUB_STEP_SUMMARY: summary } : {};
        const r = await runMain(recipe.argv.slice(1), { cwd: dir, env });
        assert.equal(r.status, status, `${recipe.argv.join(' ')}\n${r.stdout}${r.stderr}`);
        assert.equal(r.stderr, '');

        const formats: string[] = [];
        const outputs: (string | null)[] = [];
        recipe.argv.forEach((a, i) => {
          if (a === '-f') {
            formats.push(recipe.argv[i + 1]!);
            outputs.push(recipe.argv[i + 2] === '-o' ? recipe.argv[i + 3]! : null);
          }
        });
        assert.ok(formats.length >= 2, 'several outputs from one run');
        formats.forEach((format, i) => {
          const out = outputs[i] ?? null;
          const text = out === null ? r.stdout : readFileSync(join(dir, out), 'utf8');
          const problems =
            format === 'junit'
              ? junitErrors(text)
              : format === 'sarif'
                ? sarifProblems(JSON.parse(text))
                : format === 'codequality'
                  ? codeQualityProblems(JSON.parse(text))
                  : format === 'github'
                    ? annotationProblems(text)
                    : [`no validator for ${format}`];
          assert.deepEqual(problems, [], `${title}: ${format}${out ? ` (${out})` : ''}`);
          if (leaks === 0) return;
          // The leaks are in every output, at a place the CI system can show.
          if (format === 'junit') assert.match(text, /name="true-leak: CoTaskMemAlloc, 64 bytes"/);
          if (format === 'sarif') {
            const res = JSON.parse(text).runs[0].results;
            assert.equal(res[0].ruleId, 'spylog/true-leak');
            assert.equal(res[0].locations[0].physicalLocation.artifactLocation.uri, 'ci/known-runtime.csv');
          }
          if (format === 'codequality') assert.equal(JSON.parse(text)[0].location.path, 'ci/known-runtime.csv');
          if (format === 'github') {
            const [first] = workflowCommands(text);
            assert.deepEqual(first?.properties.file, 'ci/known-runtime.csv');
          }
        });
        if (title.startsWith('GitHub'))
          assert.match(readFileSync(summary, 'utf8'), leaks ? /### \u274c spylog check `spy`: FAIL/ : /### \u2705 spylog check `spy`: PASS/);
        else assert.ok(!existsSync(summary));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
}
