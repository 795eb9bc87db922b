// Reporters over a CheckResult, picked by name on the command line. The CI formats read
// the options (log id, anchor, timing, tool version); text and json ignore them.
import type { Style } from '../../report/style.js';
import type { CheckResult } from '../gate.js';
import type { CiOptions } from '../findings.js';
import { renderCheckText } from './text.js';
import { renderJunit } from './junit.js';
import { renderSarif } from './sarif.js';
import { renderCodeQuality } from './codequality.js';
import { renderGithub } from './github.js';
import { renderMarkdown } from './markdown.js';

export type CheckReporter = (r: CheckResult, style: Style, options?: CiOptions) => string;

export const CHECK_FORMATS = ['text', 'json', 'junit', 'sarif', 'codequality', 'github', 'markdown'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export const CHECK_REPORTERS: Record<CheckFormat, CheckReporter> = {
  text: renderCheckText,
  json: (r) => JSON.stringify(r) + '\n',
  junit: renderJunit,
  sarif: renderSarif,
  codequality: renderCodeQuality,
  github: renderGithub,
  markdown: renderMarkdown,
};
