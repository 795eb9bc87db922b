// "There is nothing here to judge": an empty log, or a file in which no line is a spy's
// (SPEC §4). A gate (`check`, `diff --fail-on-new`, `baseline`) never passes on such a log
// nor turns it into a baseline, and `report` says so first. A spy log whose spy saw no
// allocation (registered and revoked, nothing in between) is a spy log: it is judged. Pure.
import type { Report } from '../model/report.js';

/** One line saying that no line of the log matched any dialect tried, or null when one did. */
export function noDialectMatched(report: Report): string | null {
  const d = report.dialect;
  if (!d || d.matched) return null;
  const what = d.tried.length === 1 ? `the ${d.tried[0]} dialect` : `any dialect (tried: ${d.tried.join(', ')})`;
  return `${report.source}: no line matches ${what}; is this a spy log? (--dialect names another, or a JSON file of regexes)`;
}

/** Why the report has nothing to judge (`what` names what the caller would do with it), or null when it has. */
export function nothingToJudge(report: Report, what = 'judge'): string | null {
  if (report.bytes === 0) return `${report.source} is empty: there is nothing to ${what}`;
  return noDialectMatched(report);
}
