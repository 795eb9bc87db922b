#!/usr/bin/env node
// `npm test` without a shell glob: runs every *.test.js under dist/test (recursively,
// sorted) with Node's test runner. npm runs scripts with cmd.exe on Windows, which does not
// expand `dist/test/*.test.js`, and Node 20 does not expand globs itself; a folder argument
// runs helpers as tests on Node 20 and stopped being searched in Node 21. This file works the
// same in cmd, PowerShell, Git Bash and sh, on Node 20 and later.
//   node scripts/run-tests.mjs                   all tests
//   node scripts/run-tests.mjs cli golden        only files whose path contains "cli" or "golden"
//   node scripts/run-tests.mjs -- --test-name-pattern=width   extra flags for node --test
//   node scripts/run-tests.mjs --update-golden   rewrite the goldens (UPDATE_GOLDEN=1 in the
//                                                tests' environment: `VAR=1 cmd` is sh syntax)
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = join('dist', 'test');
const argv = process.argv.slice(2);
const dd = argv.indexOf('--');
const ours = dd < 0 ? argv : argv.slice(0, dd);
const updateGolden = ours.includes('--update-golden');
const filters = ours.filter((a) => a !== '--update-golden');
const nodeFlags = dd < 0 ? [] : argv.slice(dd + 1);

let files;
try {
  files = readdirSync(ROOT, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.js'))
    .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
    .sort()
    .map((f) => join(ROOT, f));
} catch (err) {
  console.error(`run-tests: cannot list ${ROOT} (${err.code ?? err.message}); run "npm run build" first`);
  process.exit(1);
}
// Zero files is a mistake (not built, a mistyped filter), never a silent green run.
if (files.length === 0) {
  console.error(`run-tests: no *.test.js under ${ROOT}${filters.length ? ` matching ${filters.join(', ')}` : ''}`);
  process.exit(1);
}
// spec on a pipe too: Node 20 prints TAP when stdout is not a terminal (CI logs).
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...nodeFlags, ...files], {
  stdio: 'inherit',
  env: updateGolden ? { ...process.env, UPDATE_GOLDEN: '1' } : process.env,
});
if (r.error) {
  console.error(`run-tests: cannot start node: ${r.error.message}`);
  process.exit(1);
}
process.exit(r.status ?? 1); // killed by a signal: a failure
