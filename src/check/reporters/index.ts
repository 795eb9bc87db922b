// Reporters over a CheckResult, picked by name on the command line (the CLI loads only the ones
// asked for, through formats.ts). The CI formats read the options (log id, anchor, timing,
// tool version); text and json ignore them.
import type { CheckFormat, CheckReporter } from './formats.js';
import { renderCheckText } from './text.js';
import { renderJunit } from './junit.js';
import { renderSarif } from './sarif.js';
import { renderCodeQuality } from './codequality.js';
import { renderGithub } from './github.js';
import { renderMarkdown } from './markdown.js';

export { CHECK_FORMATS, loadCheckReporter, type CheckFormat, type CheckReporter } from './formats.js';

export const CHECK_REPORTERS: Record<CheckFormat, CheckReporter> = {
  text: renderCheckText,
  json: (r) => JSON.stringify(r) + '\n',
  junit: renderJunit,
  sarif: renderSarif,
  codequality: renderCodeQuality,
  github: renderGithub,
  markdown: renderMarkdown,
};
