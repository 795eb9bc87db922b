// What a Windows developer gets: Git for Windows installs with core.autocrlf=true, and npm
// runs scripts with cmd.exe, which expands no wildcard. Fixtures and goldens must reach a
// Windows checkout byte for byte, and every npm script must work without a POSIX shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

const BYTE_EXACT_DIRS = ['fixtures', 'test/golden'];
/** Generators and READMEs among the fixtures are sources: git may normalise them. */
const SOURCE = /\.(ts|mts|cts|js|mjs|md)$/;

const git = (args: string[], cwd = ROOT) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });

function repoRoot(): string | null {
  try {
    return git(['rev-parse', '--show-toplevel']).trim();
  } catch {
    return null; // an npm tarball or a zip download: no git
  }
}

function byteExactFiles(cwd: string, ref?: string): string[] {
  const args = ref ? ['ls-tree', '-r', '-z', '--name-only', ref, '--', ...BYTE_EXACT_DIRS] : ['ls-files', '-z', '--', ...BYTE_EXACT_DIRS];
  return git(args, cwd)
    .split('\0')
    .filter((f) => f && !SOURCE.test(f));
}

test('fixtures and goldens are -text in .gitattributes (never converted by core.autocrlf)', (t) => {
  const root = repoRoot();
  if (!root) return t.skip('not a git checkout');
  const files = byteExactFiles(root);
  assert.ok(files.length > 100, `only ${files.length} fixtures found`);
  // git check-attr -z prints path NUL attribute NUL value NUL for each path.
  const out = git(['check-attr', '-z', 'text', '--', ...files], root).split('\0');
  const unprotected: string[] = [];
  for (let i = 0; i + 2 < out.length; i += 3) if (out[i + 2] !== 'unset') unprotected.push(`${out[i]} (text: ${out[i + 2]})`);
  assert.deepEqual(unprotected, [], `${unprotected.length} fixture/golden files would be converted: mark them -text in .gitattributes`);
});

test('a core.autocrlf=true clone checks out every fixture and golden byte for byte', (t) => {
  const root = repoRoot();
  if (!root) return t.skip('not a git checkout');
  const dir = mkdtempSync(join(tmpdir(), 'spylog-crlf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // --config writes core.autocrlf into the clone, as Git for Windows' system config does;
  // git on Linux converts exactly as Git for Windows does.
  git(['clone', '--quiet', '--no-hardlinks', '--config', 'core.autocrlf=true', root, dir], tmpdir());
  assert.equal(git(['config', 'core.autocrlf'], dir).trim(), 'true');
  const files = byteExactFiles(dir, 'HEAD');
  // The stored bytes, all from one `git cat-file --batch` (one process per file is slow on Windows).
  const blobs = execFileSync('git', ['cat-file', '--batch'], { cwd: dir, input: files.map((f) => `HEAD:${f}\n`).join(''), maxBuffer: 256 << 20 });
  let pos = 0;
  const changed: string[] = [];
  for (const f of files) {
    const nl = blobs.indexOf(0x0a, pos);
    const [, type, size] = blobs.subarray(pos, nl).toString('latin1').split(' ');
    assert.equal(type, 'blob', f);
    const stored = blobs.subarray(nl + 1, nl + 1 + Number(size));
    pos = nl + 1 + Number(size) + 1; // each blob is followed by a LF
    const checkedOut = readFileSync(join(dir, f));
    if (!checkedOut.equals(stored)) changed.push(`${f} (${stored.length} -> ${checkedOut.length} bytes)`);
  }
  assert.deepEqual(changed.slice(0, 20), [], `${changed.length} of ${files.length} fixture/golden files changed in an autocrlf=true checkout`);
});

test('npm scripts run in cmd.exe too: no shell glob, no VAR=value prefix, no POSIX-only commands', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  for (const [name, script] of Object.entries(pkg.scripts)) {
    assert.doesNotMatch(script, /[*?[\]]/, `${name}: cmd.exe does not expand wildcards`);
    assert.doesNotMatch(script, /(^|\s)[A-Z_]+=\S*\s/, `${name}: VAR=value cmd is sh syntax`);
    assert.doesNotMatch(script, /(^|[\s;&|])(rm|cp|mv|export|cat|ls)\s/, `${name}: not a cmd.exe command`);
  }
  assert.match(pkg.scripts.test ?? '', /^node scripts\/run-tests\.mjs$/);
  assert.equal(pkg.scripts.prepare, undefined, 'no prepare: npm warns about it on folder and tarball installs, and npx rebuilds with it');
});
