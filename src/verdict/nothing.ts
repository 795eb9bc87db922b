// "This file is not a spy log at all": a reusable check over a finished report, for
// `report` (a warning) and `check` (exit 2). Pure.
import type { Report } from '../model/report.js';

/** One line saying that no line of the log matched any dialect tried, or null when one did. */
export function noDialectMatched(report: Report): string | null {
  const d = report.dialect;
  if (!d || d.matched) return null;
  const what = d.tried.length === 1 ? `the ${d.tried[0]} dialect` : `any dialect (tried: ${d.tried.join(', ')})`;
  return `${report.source}: no line matches ${what}; is this a spy log? (--dialect names another, or a JSON file of regexes)`;
}
