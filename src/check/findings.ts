// What the CI formats (JUnit, SARIF, Code Quality, annotations, the job summary) report,
// computed once from a CheckResult: one finding per leak site (rule + context + size) and
// per stale baseline row, each with an identity that survives a rerun, and a location a CI
// system can show. Pure: paths are turned into repository paths as text, nothing is read.
//
// Identity. CI systems key their history on it: GitLab and Jenkins on a test case's
// classname + name, GitHub code scanning on `primaryLocationLineHash`, GitLab Code Quality on
// `fingerprint`. A leak whose block count grows must stay the same test and the same alert,
// and a leak seen in another run (new addresses, other log line numbers) too. So the identity
// is the log id, the rule, the allocating context and the size, and never a count, an address
// or a line number. A CRT debug-heap context carries the allocation number (`#813`) and the
// source line: both are counters that move when unrelated code changes, so the identity keeps
// only the source file and the block type, and the blocks they told apart become one finding.
//
// Groups span the parts of a multi-process or multi-run capture (the gate groups by context
// and size, whatever the pid or run): a DebugView pid is new in every run of the program, so
// putting it in the identity would open a new alert each time. The parts are in the message.
import { createHash } from 'node:crypto';
import { UNSEEN_CATEGORIES, UNSEEN_CONTEXT, type ReportBlock, type StaleRow } from '../model/report.js';
import type { DecidedBy } from '../model/block.js';
import { bytes, count, testLabel, unseenLost, unseenSource } from '../text/words.js';
import { compareWords } from '../text/compare.js';
import type { BlockGroup, CheckResult, Outcome } from './gate.js';

export type RuleId = 'spylog/true-leak' | 'spylog/unresolved' | 'spylog/stale-baseline';
export const RULE_IDS: readonly RuleId[] = ['spylog/true-leak', 'spylog/unresolved', 'spylog/stale-baseline'];

/** How a CI system should weigh a finding: `error` fails the gate, `warning` is reported, `note` was allowed. */
export type Level = 'error' | 'warning' | 'note';

/** Options of the CI formats; every one has a default, so a library caller may pass none. */
export interface CiOptions {
  /** The log's id: JUnit suite and classname, SARIF category (`spylog/<name>/`), the fingerprints' scope. Default: the log's file name without extension. */
  name?: string;
  /** A committed file to locate findings at when neither a source line nor a baseline row does (`--anchor FILE[:LINE]`). */
  anchor?: { path: string; line: number } | null;
  /** Absolute paths under this folder are written relative to it (the repository root; the CLI passes the current folder). */
  sourceRoot?: string | null;
  /** Line of each `# complete: <context>` directive of the baseline (`*` for every context): where a leak the baseline convicted is located. */
  baselineComplete?: ReadonlyMap<string, number> | null;
  /** Wall time of the analysis and the gate (JUnit `time`). */
  elapsedMs?: number;
  /** The tool as SARIF describes it. */
  tool?: { version?: string; informationUri?: string };
}

/** Where a finding is shown: a file and line, and why there. */
export interface FindingLocation {
  /** Repository-relative with `/` where possible. */
  path: string;
  line: number;
  /** `source`: the CRT's file(line); `baseline`: the row or `complete:` line that decided it; `anchor`: --anchor; `log`: the log itself. */
  kind: 'source' | 'baseline' | 'anchor' | 'log';
}

export interface CiFinding {
  rule: RuleId;
  level: Level;
  /** The context as the identity keeps it (the CRT's allocation number and source line left out). */
  context: string;
  size: number;
  blocks: number;
  bytes: number;
  /** Stable: names the JUnit test case and the annotation (`true-leak: CoTaskMemAlloc, 64 bytes`). */
  title: string;
  /** One line, counts included: what is wrong. */
  message: string;
  /** Further lines: where the blocks were allocated, their data, which parts of the capture. */
  details: string[];
  /** 32 hex digits of sha256 over the identity: the Code Quality fingerprint and SARIF `fingerprints`. */
  fingerprint: string;
  /** The identity in GitHub's `primaryLocationLineHash` shape (`<16 hex>:1`). */
  lineHash: string;
  location: FindingLocation;
  /** Log lines of the allocations, ascending (every one; formats cap what they show). */
  logLines: number[];
  /** The log's path as a repository path, for related locations. */
  logPath: string;
  /** The blocks, for formats that list them (empty for a stale row). */
  blockList: ReportBlock[];
  /** For a stale baseline row: the row. */
  stale?: StaleRow & { runs: number };
  /** For blocks only the spy's output knows (Report.unseen): the line that shows them; their size is unknown (`size` and `bytes` 0). */
  unseenAt?: number;
}

export interface CiView {
  /** The log id (see CiOptions.name). */
  name: string;
  /** The log's path as written in CI outputs. */
  logPath: string;
  /** Most severe first, then largest. */
  findings: CiFinding[];
  /** The debug CRT's own leak report in the log (`crtLeakReport`), for the formats that list findings: a warning, never a gate. */
  crtReport: CrtReportNotice | null;
}

/** `crtLeakReport` as a machine-read format keeps it: an identity of the log alone (the line moves from run to run). */
export interface CrtReportNotice {
  id: 'spylog/crt-leak-report';
  line: number;
  message: string;
  fingerprint: string;
}

const LEVEL_ORDER: Record<Level, number> = { error: 0, warning: 1, note: 2 };

/**
 * The debug CRT's own leak report in a log read as the spy's (the `crt-leak-report` anomaly):
 * leaks this gate does not judge, which every human-read CI format says (text, Markdown, GitHub).
 */
export function crtLeakReport(r: CheckResult): { line: number; message: string } | null {
  const a = r.report.anomalies.find((x) => x.kind === 'crt-leak-report');
  return a ? { line: a.line, message: a.message } : null;
}

/** The log id: --name, else the file name without its extension (`out/spy.log` → `spy`), `stdin` for `-`. */
export function logId(source: string, name?: string): string {
  if (name !== undefined) return name;
  if (source === '-') return 'stdin';
  const base = source.split(/[\\/]/).pop() ?? source;
  const dot = base.lastIndexOf('.');
  return (dot > 0 ? base.slice(0, dot) : base) || 'log';
}

/** How the gate weighs true leaks (`error` when a leak gate failed) and unresolved blocks (by --unresolved). */
export function ciLevels(r: CheckResult): { leak: Level; unresolved: Level } {
  const outcome = (id: string): Outcome | undefined => r.checks.find((c) => c.id === id)?.outcome;
  return {
    leak: outcome('true-leaks') === 'fail' || outcome('leak-bytes') === 'fail' ? 'error' : 'warning',
    unresolved: policyLevel(r.unresolvedPolicy),
  };
}

const policyLevel = (p: 'fail' | 'warn' | 'allow'): Level => (p === 'fail' ? 'error' : p === 'warn' ? 'warning' : 'note');

export function ciView(r: CheckResult, o: CiOptions = {}): CiView {
  const name = logId(r.source, o.name);
  const root = o.sourceRoot ?? null;
  const logPath = r.source === '-' ? 'stdin' : (repoPath(r.source, root) ?? slashes(r.source));
  const crt = r.report.dialect?.name === 'crt';
  const outcome = (id: string): Outcome | undefined => r.checks.find((c) => c.id === id)?.outcome;
  const leakLevel = ciLevels(r).leak;
  const dumpLine = r.report.phases.dump?.line ?? 1;

  const findings: CiFinding[] = [];
  const blockGroups: [RuleId, Level, BlockGroup[]][] = [['spylog/true-leak', leakLevel, r.leaks]];
  if (r.unresolvedPolicy !== 'allow') blockGroups.push(['spylog/unresolved', policyLevel(r.unresolvedPolicy), r.unresolved]);
  for (const [rule, level, groups] of blockGroups) {
    // Gate groups whose identity is the same (CRT blocks of one file, type and size) are one finding.
    const merged = new Map<string, { context: string; size: number; blocks: ReportBlock[]; source: { file: string; line: number } | null }>();
    for (const g of groups) {
      const site = crt ? crtSite(g.context) : null;
      const context = site ? site.stable : g.context;
      const key = `${context}\0${g.size}`;
      const m = merged.get(key) ?? { context, size: g.size, blocks: [], source: site?.file ? { file: site.file, line: site.line } : null };
      for (const b of g.blocks) m.blocks.push(b); // not push(...): a group may hold a million blocks
      merged.set(key, m);
    }
    for (const m of merged.values()) {
      const identity = [name, rule, m.context, String(m.size)];
      const logLines = m.blocks
        .map((b) => b.allocLine)
        .filter((l): l is number => l !== null)
        .sort((a, b) => a - b);
      const source = m.source ? repoPath(m.source.file, root) : null;
      const convicting =
        rule === 'spylog/true-leak' && m.blocks.some((b) => b.decidedBy === 'baseline') ? completeLine(o.baselineComplete, m.context) : null;
      const location: FindingLocation =
        source !== null && m.source
          ? { path: source, line: m.source.line, kind: 'source' }
          : convicting !== null && r.baseline
            ? { path: repoPath(r.baseline.file, root) ?? slashes(r.baseline.file), line: convicting, kind: 'baseline' }
            : o.anchor
              ? { path: repoPath(o.anchor.path, root) ?? slashes(o.anchor.path), line: o.anchor.line, kind: 'anchor' }
              : { path: logPath, line: logLines[0] ?? dumpLine, kind: 'log' };
      const total = m.blocks.length * m.size;
      const what =
        rule === 'spylog/true-leak'
          ? `never freed: the program's leak (${decidedBy(m.blocks)})`
          : `never freed, and the log is ${r.report.truncation}: freed during ExitProcess or leaked, the log cannot say`;
      const message = `${count(m.blocks.length, 'block')} of ${bytes(m.size)} allocated in ${m.context} ${what}; ${bytes(total)} in all.`;
      const details = [
        logLines.length ? `Allocated at ${linesText(logLines)} of ${logPath}.` : `Allocation not in the log (first seen in the dump of ${logPath}).`,
      ];
      const ordinals = m.blocks
        .map((b) => b.ordinal)
        .filter((n): n is number => n !== null)
        .sort((a, b) => a - b);
      if (ordinals.length)
        details.push(
          `Allocation ${ordinals.length === 1 ? 'ordinal' : 'ordinals'} ${ordinalsText(ordinals)} (the Nth allocation since the spy was registered: a spy counting its PreAlloc calls can break on it).`,
        );
      const parts = partsOf(m.blocks);
      if (parts) details.push(`In ${parts}.`);
      const tests = testsOf(m.blocks);
      if (tests) details.push(`Allocated while ${tests} ran.`);
      // What a known runtime holder may be keeping (a hint: the gate counted these as they were decided).
      const hints = new Map(m.blocks.flatMap((b) => (b.hint ? [[b.hint.id, b.hint] as const] : [])));
      for (const h of hints.values()) details.push(`Known runtime holder: ${h.holder}: ${h.message} (source: ${h.source}).`);
      if (crt) details.push(`CRT allocation ${m.blocks.length === 1 ? 'number' : 'numbers'}: ${crtNumbers(m.blocks)} (for _CrtSetBreakAlloc).`);
      if (location.kind === 'baseline')
        details.push(
          `Decided by line ${location.line} of ${location.path} ("# complete:"): the baseline lists everything the runtime holds there, so a block it does not match is the program's.`,
        );
      details.push(...m.blocks.slice(0, 10).map((b) => `${b.address}${b.data ? `: ${b.data}` : ''}`));
      if (m.blocks.length > 10) details.push(`… and ${count(m.blocks.length - 10, 'more block')}`);
      findings.push({
        rule,
        level,
        context: m.context,
        size: m.size,
        blocks: m.blocks.length,
        bytes: total,
        title: `${rule.slice('spylog/'.length)}: ${m.context}, ${bytes(m.size)}`,
        message,
        details,
        ...digests(identity),
        location,
        logLines,
        logPath,
        blockList: m.blocks,
      });
    }
  }

  // Blocks only the spy's count knows: no context, size or line of their own, so one finding
  // located at the count that shows them, under the rule of the category they were counted in.
  for (const category of UNSEEN_CATEGORIES) {
    const unseen = r.report.unseen?.[category];
    if (!unseen || (category === 'unresolved' && r.unresolvedPolicy === 'allow')) continue;
    const leak = category === 'true-leak';
    const rule: RuleId = leak ? 'spylog/true-leak' : 'spylog/unresolved';
    const context = UNSEEN_CONTEXT;
    const k = unseen.blocks;
    findings.push({
      rule,
      level: leak ? leakLevel : policyLevel(r.unresolvedPolicy),
      context,
      size: 0,
      blocks: k,
      bytes: 0,
      title: `${rule.slice('spylog/'.length)}: ${context}`,
      message:
        `${count(k, 'block')} of unknown size known only from ${unseenSource(unseen)}: this log lost ${unseenLost(unseen)}; ` +
        (leak
          ? `never freed: the program's leak${r.report.truncation === 'complete' ? '' : ' (--assume-complete)'}.`
          : `freed during ExitProcess or leaked, the log cannot say; no baseline can decide ${k === 1 ? 'it' : 'them'}.`),
      details: [`Line ${unseen.line} of ${logPath}. Capture the run again to see where ${k === 1 ? 'it was' : 'they were'} allocated.`],
      ...digests([name, rule, context, '0']),
      location: o.anchor
        ? { path: repoPath(o.anchor.path, root) ?? slashes(o.anchor.path), line: o.anchor.line, kind: 'anchor' }
        : { path: logPath, line: unseen.line, kind: 'log' },
      logLines: [],
      logPath,
      blockList: [],
      unseenAt: unseen.line,
    });
  }

  if (r.baseline) {
    const file = repoPath(r.baseline.file, root) ?? slashes(r.baseline.file);
    const level = policyLevel(staleOutcomePolicy(outcome('baseline')));
    // A row is stale once per run of the log: one finding per row.
    const rows = new Map<string, StaleRow & { runs: number }>();
    for (const s of r.baseline.stale) {
      const key = `${s.context}\0${s.size}\0${s.pattern}`;
      const seen = rows.get(key);
      if (seen) {
        seen.expected += s.expected;
        seen.found += s.found;
        seen.runs++;
      } else rows.set(key, { ...s, runs: 1 });
    }
    for (const s of rows.values()) {
      const context = `${s.context}${s.pattern ? ` [${s.pattern}]` : ''}`;
      findings.push({
        rule: 'spylog/stale-baseline',
        level,
        context: s.context,
        size: s.size,
        blocks: s.expected - s.found,
        bytes: (s.expected - s.found) * s.size,
        title: `stale-baseline: ${context}, ${bytes(s.size)}`,
        message: `Baseline entry ${s.context}, ${bytes(s.size)} expects ${count(s.expected, 'block')} but found ${s.found}${s.runs > 1 ? ` (over ${s.runs} runs)` : ''}: the runtime now holds less, or the program changed.`,
        details: [`Line ${s.line} of ${file}. Regenerate the baseline with \`spylog baseline\` from a console capture of the same program.`],
        ...digests([name, 'spylog/stale-baseline', s.context, String(s.size), s.pattern]),
        location: { path: file, line: Math.max(1, s.line), kind: 'baseline' },
        logLines: [],
        logPath,
        blockList: [],
        stale: s,
      });
    }
  }

  findings.sort(
    (a, b) =>
      LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] ||
      RULE_IDS.indexOf(a.rule) - RULE_IDS.indexOf(b.rule) ||
      b.bytes - a.bytes ||
      compareWords(a.context, b.context) ||
      a.size - b.size,
  );
  const crtReport = crtLeakReport(r);
  return {
    name,
    logPath,
    findings,
    crtReport: crtReport && { id: 'spylog/crt-leak-report', ...crtReport, fingerprint: digests([name, 'spylog/crt-leak-report']).fingerprint },
  };
}

function staleOutcomePolicy(o: Outcome | undefined): 'fail' | 'warn' | 'allow' {
  return o === 'fail' ? 'fail' : o === 'warn' ? 'warn' : 'allow';
}

/** sha256 of the identity's parts (NUL-separated, so no two identities share a text). */
function digests(parts: string[]): { fingerprint: string; lineHash: string } {
  const hex = createHash('sha256')
    .update(['spylog-finding/1', ...parts].join('\0'))
    .digest('hex');
  return { fingerprint: hex.slice(0, 32), lineHash: `${hex.slice(0, 16)}:1` };
}

function decidedBy(blocks: ReportBlock[]): string {
  const by = [...new Set(blocks.map((b) => b.decidedBy))];
  const words: Record<DecidedBy, string> = {
    log: 'the log is complete',
    baseline: 'decided by the baseline',
    'known-holder': 'decided by a known runtime holder',
    'assume-complete': 'decided by --assume-complete',
  };
  return by.map((d) => words[d]).join('; ');
}

/** `test A.B`, `tests A.B (2 blocks), C.D`: the tests the blocks were allocated in. */
function testsOf(blocks: ReportBlock[]): string | null {
  const counts = new Map<string, number>();
  for (const b of blocks) {
    if (typeof b.test !== 'string') continue;
    const t = testLabel(b.test, b.testIteration);
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  if (counts.size === 0) return null;
  const names = [...counts].slice(0, 10).map(([t, k]) => (counts.size > 1 && k > 1 ? `${t} (${k} blocks)` : t));
  return `${counts.size === 1 ? 'test' : 'tests'} ${names.join(', ')}${counts.size > 10 ? `, … (${counts.size} in all)` : ''}`;
}

function partsOf(blocks: ReportBlock[]): string | null {
  const pids = [...new Set(blocks.map((b) => b.pid).filter((p): p is number => p !== undefined && p !== null))].sort((a, b) => a - b);
  const runs = [...new Set(blocks.map((b) => b.run).filter((r): r is number => r !== undefined))].sort((a, b) => a - b);
  const out: string[] = [];
  if (pids.length) out.push(`${pids.length === 1 ? 'pid' : 'pids'} ${pids.join(', ')}`);
  if (runs.length) out.push(`${runs.length === 1 ? 'run' : 'runs'} ${runs.join(', ')}`);
  return out.length ? out.join('; ') : null;
}

/** `line 3`, `lines 3, 5`, `lines 3, 5, 7, … (12 in all)`. */
export function linesText(lines: number[]): string {
  if (lines.length === 1) return `line ${lines[0]}`;
  const shown = lines.slice(0, 10).join(', ');
  return lines.length > 10 ? `lines ${shown}, … (${lines.length} in all)` : `lines ${shown}`;
}

/** `#3`, `#3, #5`, `#3, #5, … (12 in all)`. */
function ordinalsText(ordinals: number[]): string {
  const shown = ordinals
    .slice(0, 10)
    .map((n) => `#${n}`)
    .join(', ');
  return ordinals.length > 10 ? `${shown}, … (${ordinals.length} in all)` : shown;
}

/**
 * The CRT debug heap's context (`c:\src\main.cpp(42) #813 (normal block)` or `#812 (normal
 * block)`, made by the crt dialect): the source file and line, and the context without the
 * allocation number and the line.
 */
export function crtSite(context: string): { stable: string; file: string | null; line: number } | null {
  const m = /^(?:(.+)\((\d+)\) )?#\d+ \(([^)]*)\)$/.exec(context);
  if (!m) return null;
  const file = m[1] ?? null;
  return { stable: file ? `${file} (${m[3]})` : `(${m[3]})`, file, line: Number(m[2] ?? 1) };
}

function crtNumbers(blocks: ReportBlock[]): string {
  const ns = blocks.map((b) => /#(\d+) \(/.exec(b.context)?.[1]).filter((n): n is string => n !== undefined);
  const shown = ns.slice(0, 10).map((n) => `#${n}`);
  return ns.length > 10 ? `${shown.join(', ')}, …` : shown.join(', ');
}

function completeLine(lines: ReadonlyMap<string, number> | null | undefined, context: string): number | null {
  return lines?.get(context) ?? lines?.get('*') ?? null;
}

const slashes = (p: string) => p.replace(/\\/g, '/');

/**
 * A path as the repository knows it: relative, with `/`. An absolute path is made relative
 * to `root` when it lies under it (compared without regard to case for Windows paths);
 * null when it cannot be made a repository path (absolute elsewhere, or above the root).
 */
export function repoPath(path: string, root: string | null): string | null {
  let p = slashes(path);
  const windows = /^[A-Za-z]:\//.test(p) || p.startsWith('//');
  if (windows || p.startsWith('/')) {
    if (root === null) return null;
    let r = slashes(root);
    if (!r.endsWith('/')) r += '/';
    const under = windows || /^[A-Za-z]:\//.test(r) ? p.toLowerCase().startsWith(r.toLowerCase()) : p.startsWith(r);
    if (!under) return null;
    p = p.slice(r.length);
  }
  while (p.startsWith('./')) p = p.slice(2);
  if (p === '' || p === '..' || p.startsWith('../')) return null;
  return p;
}
