// Test runners print where each test starts and ends; those lines are the program's own
// output (they stay program lines for every phase and completeness rule) that also say which
// test is running. GoogleTest's are recognised by default; a user's harness is described by
// regexes with a named group for the test's name (`--test-start`, `--test-end`), compiled and
// checked once, before any log is read. Pure.
import { setFlagsFromString } from 'node:v8';
import { SpylogError } from '../errors.js';
import type { TestOutcome } from '../model/report.js';

export type { TestOutcome };

/** The compiled test patterns: a line a `start` pattern matches starts a test, an `end` pattern's line ends it. */
export interface TestPatterns {
  readonly start: readonly RegExp[];
  readonly end: readonly RegExp[];
}

/** A test start or end line. */
export interface TestLine {
  kind: 'start' | 'end';
  name: string;
  /** For an end line: what its `outcome` group says (`ended` without one). */
  outcome: TestOutcome;
  /** Where the name ends in the line (what a context keeps of a start line). */
  nameEnd: number;
}

/**
 * Lines longer than this are no test lines: a runner's start and end lines are short, and a
 * user's regex that backtracks runs over at most this many characters, not a 64 K line.
 */
export const TEST_LINE_LIMIT = 1024;

/** GoogleTest: `[ RUN      ] Suite.Name`, then `[       OK ] Suite.Name (3 ms)`, `[  FAILED  ] ...` or `[  SKIPPED ] ...`. */
export const GTEST_START = String.raw`^\[ RUN {6}\] (?<name>[^\s,]+)`;
export const GTEST_END = String.raw`^\[ {0,8}(?<outcome>OK|FAILED|SKIPPED) {0,8}\] (?<name>[^\s,]+)`;

/** The default: GoogleTest's lines. */
export const GTEST_TESTS: TestPatterns = { start: [new RegExp(GTEST_START, 'd')], end: [new RegExp(GTEST_END, 'd')] };

/**
 * The user's patterns, checked: each a valid regular expression with a `(?<name>...)` group
 * that V8's linear-time engine can run (the `l` flag: no backreference, lookahead or
 * lookbehind, no counted repetition over 16), so that no pattern can take more than time
 * linear in a line's length on any line, whatever it nests (`(a+)+`, `(a|a)*`, `.*.*.*x`). A
 * problem is a usage error naming the option and the pattern.
 */
export function compileTestPatterns(start: readonly string[], end: readonly string[]): TestPatterns {
  return { start: start.map((p) => compileOne('--test-start', p)), end: end.map((p) => compileOne('--test-end', p)) };
}

function compileOne(option: string, pattern: string): RegExp {
  const bad = (why: string) => new SpylogError('USAGE', `${option} ${JSON.stringify(pattern)}: ${why}`);
  if (pattern.trim() === '') throw bad('an empty pattern would match every line');
  try {
    new RegExp(pattern);
  } catch (err) {
    throw bad(`not a valid regular expression (${(err as Error).message.replace(/^Invalid regular expression: /, '')})`);
  }
  if (!/\(\?<name>/.test(pattern)) throw bad('needs a named group (?<name>...) for the test\u2019s name');
  // Without the `u` flag (which the linear engine does not take) `\p{L}` would silently mean the letters `p{L}`.
  if (/(^|[^\\])(\\\\)*\\[pP]\{/.test(pattern))
    throw bad(
      '\\p{...} (a Unicode property) needs Unicode mode, which this engine does not run: write the characters as a class, e.g. [A-Za-z\\u00C0-\\u024F]',
    );
  enableLinearEngine();
  try {
    // eslint-disable-next-line no-invalid-regexp -- V8's `l` (linear) flag, enabled above
    return new RegExp(pattern, 'l');
  } catch {
    throw bad(
      'cannot be run in linear time on every line: write it without a backreference (\\1, \\k<name>), a lookahead (?=, (?!) or lookbehind (?<=, (?<!), and with counts of at most 16 ({2,16}, not {2,64} or {20,})',
    );
  }
}

/**
 * V8's linear-time regular expression engine (the `l` flag) is behind a flag that may be set
 * at run time, before a pattern that uses it is compiled; it changes no other pattern, and
 * setting it again does nothing.
 */
function enableLinearEngine(): void {
  setFlagsFromString('--enable-experimental-regexp-engine');
}

/**
 * The test line `text` is (a program line, trimmed), or null. Its name is made well-formed (a
 * lone UTF-16 surrogate becomes U+FFFD) as a context is, so a test has one spelling in every format.
 */
export function readTestLine(text: string, patterns: TestPatterns): TestLine | null {
  if (text.length > TEST_LINE_LIMIT) return null;
  for (const re of patterns.start) {
    const m = re.exec(text);
    const name = m?.groups?.name;
    if (m && name) return { kind: 'start', name: name.toWellFormed(), outcome: 'ended', nameEnd: nameEnd(m, name) };
  }
  for (const re of patterns.end) {
    const m = re.exec(text);
    const name = m?.groups?.name;
    if (m && name) return { kind: 'end', name: name.toWellFormed(), outcome: outcomeOf(m.groups!.outcome), nameEnd: nameEnd(m, name) };
  }
  return null;
}

/**
 * Where the name ends in the line: GoogleTest's patterns have its indices (the `d` flag); the
 * linear engine has none, so a user's pattern's name ends where its text last ends in the match.
 */
function nameEnd(m: RegExpExecArray, name: string): number {
  const at = m.indices?.groups?.name;
  return at ? at[1] : m.index + m[0].lastIndexOf(name) + name.length;
}

/** What a runner's word for the outcome means: OK/Passed, FAILED/Error, SKIPPED/Ignored; anything else just ends the test. */
function outcomeOf(word: string | undefined): TestOutcome {
  if (word === undefined) return 'ended';
  if (/^(?:ok|pass|succe)/i.test(word)) return 'passed';
  if (/^(?:fail|error|crash|abort|timeout)/i.test(word)) return 'failed';
  if (/^(?:skip|ignor|disabled|inconclusive|not ?run)/i.test(word)) return 'skipped';
  return 'ended';
}
