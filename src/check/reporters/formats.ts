// check's output formats by name, each reporter loaded only when asked for: the gate's text
// alone does not load the JUnit, SARIF, Code Quality, GitHub and Markdown writers (~15 ms of
// start-up). index.ts has them all, loaded, for library users.
import type { Style } from '../../report/style.js';
import type { CheckResult } from '../gate.js';
import type { CiOptions } from '../findings.js';

export type CheckReporter = (r: CheckResult, style: Style, options?: CiOptions) => string;

/** A reporter's output in pieces, to be written one after the other (they join to its string). */
export type CheckPartsReporter = (r: CheckResult, style: Style, options?: CiOptions) => Iterable<string>;

export const CHECK_FORMATS = ['text', 'json', 'junit', 'sarif', 'codequality', 'github', 'markdown'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

/** The format's reporter in pieces (CHECK_PARTS of index.ts), loaded. */
export async function loadCheckReporter(format: CheckFormat): Promise<CheckPartsReporter> {
  switch (format) {
    case 'text':
      return (await import('./text.js')).renderCheckTextParts;
    case 'json':
      return (await import('./json.js')).renderCheckJsonParts;
    case 'junit':
      return (await import('./junit.js')).renderJunitParts;
    case 'sarif':
      return (await import('./sarif.js')).renderSarifParts;
    case 'codequality':
      return (await import('./codequality.js')).renderCodeQualityParts;
    case 'github':
      return (await import('./github.js')).renderGithubParts;
    case 'markdown':
      return (await import('./markdown.js')).renderMarkdownParts;
  }
}
