// "There is nothing here to judge": an empty log, a file in which no line is a spy's, or a spy
// log in which no spy event could be read and no spy is shown watching (SPEC §4: a gate given a
// log with no spy event at all exits 2). A gate (`check`, `diff --fail-on-new`, `baseline`)
// never passes on such a log nor turns it into a baseline, and `report` says so first. A spy log
// whose spy saw no allocation (registered, revoked, nothing in between) is a spy log: it is
// judged. Pure.
import type { Report } from '../model/report.js';
import { count } from '../text/words.js';

/** One line saying that no line of the log matched any dialect tried, or null when one did. */
export function noDialectMatched(report: Report): string | null {
  const d = report.dialect;
  if (!d || d.matched) return null;
  const what = d.tried.length === 1 ? `the ${d.tried[0]} dialect` : `any dialect (tried: ${d.tried.join(', ')})`;
  return `${report.source}: no line matches ${what}; is this a spy log? (--dialect names another, or a JSON file of regexes)`;
}

/**
 * Why a log the dialect matched holds no spy event to judge (one line, without the file's name), or null when it
 * holds one or shows a spy that watched and saw nothing. Without any event read:
 *   - lines that begin as the spy's and none readable: the spy speaks another wording (a 64-bit
 *     build's `%p` without `0x`, a size in another column); what it saw is all in them, and a
 *     pass would be a pass on nothing (attack notes #199);
 *   - a registration COM refused (`spy-not-registered`), or none at all in MallocSpyTest's
 *     wording: no spy watched this run, or it printed elsewhere (stderr, OutputDebugString)
 *     while stdout was captured (#201).
 * Blocks the spy's count or a refused revoke shows (`unseen`) are something to judge.
 */
export function noSpyEvent(report: Report): string | null {
  if (report.allocs + report.frees + report.reallocs > 0 || (report.phases.dump?.entries ?? 0) > 0 || report.unseen !== undefined) return null;
  const unreadable = report.anomalyCounts['malformed-spy-line'] ?? 0;
  if (unreadable > 0) {
    const first = report.anomalies.find((a) => a.kind === 'malformed-spy-line');
    const dialect = report.dialect?.name ?? 'mallocspy';
    return (
      `${count(unreadable, 'line')} look${unreadable === 1 ? 's' : ''} like the spy's but no spy event could be read` +
      `${first ? ` (the first at line ${first.line})` : ''}: the spy words its lines in a way the ${dialect} dialect does not read` +
      ' (--dialect names another, or a JSON file of regexes)'
    );
  }
  // A registration that worked, in any part (a DebugView capture's last line may be another process's, #211).
  const parts = [...(report.processes ?? []), ...(report.runs ?? [])];
  if (report.phases.spyRegistered !== null || parts.some((p) => p.report === undefined || p.report.phases.spyRegistered !== null)) return null;
  const refused = report.anomalies.find((a) => a.kind === 'spy-not-registered');
  if (refused) return `no spy event, and the spy was never installed: ${refused.message} (line ${refused.line})`;
  // Other dialects word a registration their own way, or not at all.
  if (report.dialect === undefined) {
    return 'no spy event and no registration of the spy: no spy watched this run, or it printed elsewhere (stderr, OutputDebugString)';
  }
  return null;
}

/** Why the report has nothing to judge (`what` names what the caller would do with it), or null when it has. */
export function nothingToJudge(report: Report, what = 'judge'): string | null {
  if (report.bytes === 0) return `${report.source} is empty: there is nothing to ${what}`;
  const unmatched = noDialectMatched(report);
  if (unmatched !== null) return unmatched;
  const noEvent = noSpyEvent(report);
  return noEvent === null ? null : `${report.source}: ${noEvent}`;
}
