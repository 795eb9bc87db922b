// check's output formats by name, each reporter loaded only when asked for: the gate's text
// alone does not load the JUnit, SARIF, Code Quality, GitHub and Markdown writers (~15 ms of
// start-up). index.ts has them all, loaded, for library users.
import type { Style } from '../../report/style.js';
import type { CheckResult } from '../gate.js';
import type { CiOptions } from '../findings.js';

export type CheckReporter = (r: CheckResult, style: Style, options?: CiOptions) => string;

export const CHECK_FORMATS = ['text', 'json', 'junit', 'sarif', 'codequality', 'github', 'markdown'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export async function loadCheckReporter(format: CheckFormat): Promise<CheckReporter> {
  switch (format) {
    case 'text':
      return (await import('./text.js')).renderCheckText;
    case 'json':
      return (r) => JSON.stringify(r) + '\n';
    case 'junit':
      return (await import('./junit.js')).renderJunit;
    case 'sarif':
      return (await import('./sarif.js')).renderSarif;
    case 'codequality':
      return (await import('./codequality.js')).renderCodeQuality;
    case 'github':
      return (await import('./github.js')).renderGithub;
    case 'markdown':
      return (await import('./markdown.js')).renderMarkdown;
  }
}
