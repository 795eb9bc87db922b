// Test runners print where each test starts and ends; those lines are the program's own
// output (they stay program lines for every phase and completeness rule) that also say which
// test is running. GoogleTest's are recognised by default; a user's harness is described by
// regexes with a named group for the test's name (`--test-start`, `--test-end`), compiled and
// checked once, before any log is read. Pure.
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
 * The user's patterns, checked: each a valid regular expression with a `(?<name>...)` group,
 * without a quantified group that holds a quantifier (`(a+)+`, `(\w+\s?)*`: exponential time
 * on a line that almost matches), and quick on long lines of the characters it names. A
 * problem is a usage error naming the option and the pattern.
 */
export function compileTestPatterns(start: readonly string[], end: readonly string[]): TestPatterns {
  return { start: start.map((p) => compileOne('--test-start', p)), end: end.map((p) => compileOne('--test-end', p)) };
}

function compileOne(option: string, pattern: string): RegExp {
  const bad = (why: string) => new SpylogError('USAGE', `${option} ${JSON.stringify(pattern)}: ${why}`);
  if (pattern.trim() === '') throw bad('an empty pattern would match every line');
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'd');
  } catch (err) {
    throw bad(`not a valid regular expression (${(err as Error).message.replace(/^Invalid regular expression: /, '')})`);
  }
  if (!/\(\?<name>/.test(pattern)) throw bad('needs a named group (?<name>...) for the test\u2019s name');
  const nested = nestedQuantifier(pattern);
  if (nested) throw bad(`${nested} can take exponential time on a long line; write it without the nesting (e.g. [\\w.]+ for (\\w+\\.?)+)`);
  const slow = slowOnLongLines(re);
  if (slow) throw bad(`${slow}: it would slow every program line of a log; make it stricter (fewer .* in a row, an anchor ^)`);
  return re;
}

/**
 * A quantified group that contains an unbounded quantifier (star height above one), as the
 * text of the group, or null. Escapes and character classes are skipped; `?` and `{0,1}` do
 * not count as repeating.
 */
export function nestedQuantifier(pattern: string): string | null {
  // For each open group: where it starts and whether it repeats something inside.
  const groups: { start: number; repeats: boolean }[] = [];
  let lastGroup: { start: number; repeats: boolean } | null = null;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      lastGroup = null;
      continue;
    }
    if (c === '[') {
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      lastGroup = null;
      continue;
    }
    if (c === '(') {
      groups.push({ start: i, repeats: false });
      lastGroup = null;
      continue;
    }
    if (c === ')') {
      lastGroup = groups.pop() ?? null;
      if (lastGroup?.repeats && groups.length > 0) groups[groups.length - 1]!.repeats = true;
      continue;
    }
    const repeat = repeatAt(pattern, i);
    if (repeat > 0) {
      if (lastGroup?.repeats) return pattern.slice(lastGroup.start, i + repeat);
      if (groups.length > 0) groups[groups.length - 1]!.repeats = true;
      i += repeat - 1;
    }
    lastGroup = null;
  }
  return null;
}

/** The length of a repeating quantifier at `i` (`*`, `+`, `{n,}`, `{n,m}` with m > 1, a lazy `?` after it included), else 0. */
function repeatAt(pattern: string, i: number): number {
  const c = pattern[i];
  let len = 0;
  if (c === '*' || c === '+') len = 1;
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
    if (m && (m[2] !== undefined ? m[3] === '' || Number(m[3]) > 1 : Number(m[1]) > 1)) len = m[0].length;
  }
  if (len > 0 && pattern[i + len] === '?') len++;
  return len;
}

/** Milliseconds a pattern may take on one line of TEST_LINE_LIMIT characters. */
const SLOW_MS = 100;

/**
 * Probes a pattern with lines of the characters it is likely to almost match, doubling their
 * length up to TEST_LINE_LIMIT; says how slow it is when it would take more than SLOW_MS on
 * the longest (projected from how its time grows, so that a pattern that would take minutes
 * there is refused within milliseconds), else null.
 */
function slowOnLongLines(re: RegExp): string | null {
  const chars = new Set(['a', '0', ' ', '.', '[', ']', '-', ':', '/', '_']);
  for (const c of re.source) if (c.charCodeAt(0) > 32 && c.charCodeAt(0) < 127 && !/[\\()[\]{}*+?^$|]/.test(c)) chars.add(c);
  for (const c of chars) {
    let previous = 0;
    for (let length = 32; length <= TEST_LINE_LIMIT; length *= 2) {
      const run = c.repeat(length - 2);
      const started = performance.now();
      re.exec(run + '\u0001');
      re.exec('[ ' + run);
      const spent = performance.now() - started;
      if (spent > SLOW_MS) return `takes ${Math.round(spent)} ms on a ${length}-character line`;
      // Growth is measured once it is above the timer's noise, and projected to the longest line.
      if (previous >= 1 && length < TEST_LINE_LIMIT) {
        const growth = spent / previous;
        if (spent * growth ** Math.log2(TEST_LINE_LIMIT / length) > SLOW_MS * 10)
          return `takes ${Math.round(spent)} ms on a ${length}-character line, ${growth.toFixed(0)} times longer at each doubling of its length`;
      }
      previous = spent;
    }
  }
  return null;
}

/** The test line `text` is (a program line, trimmed), or null. */
export function readTestLine(text: string, patterns: TestPatterns): TestLine | null {
  if (text.length > TEST_LINE_LIMIT) return null;
  for (const re of patterns.start) {
    const m = re.exec(text);
    const name = m?.groups?.name;
    if (m && name) return { kind: 'start', name, outcome: 'ended', nameEnd: m.indices!.groups!.name![1] };
  }
  for (const re of patterns.end) {
    const m = re.exec(text);
    const name = m?.groups?.name;
    if (m && name) return { kind: 'end', name, outcome: outcomeOf(m.groups!.outcome), nameEnd: m.indices!.groups!.name![1] };
  }
  return null;
}

/** What a runner's word for the outcome means: OK/Passed, FAILED/Error, SKIPPED/Ignored; anything else just ends the test. */
function outcomeOf(word: string | undefined): TestOutcome {
  if (word === undefined) return 'ended';
  if (/^(?:ok|pass|succe)/i.test(word)) return 'passed';
  if (/^(?:fail|error|crash|abort|timeout)/i.test(word)) return 'failed';
  if (/^(?:skip|ignor|disabled|inconclusive|not ?run)/i.test(word)) return 'skipped';
  return 'ended';
}
