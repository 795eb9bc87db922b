// Reporters over a CheckResult, picked by name on the command line (the CLI loads only the ones
// asked for, through formats.ts). The CI formats read the options (log id, anchor, timing,
// tool version); text and json ignore them. CHECK_PARTS gives each in pieces, to write an
// output of any size without making it one string.
import type { CheckFormat, CheckPartsReporter, CheckReporter } from './formats.js';
import { renderCheckText, renderCheckTextParts } from './text.js';
import { renderCheckJson, renderCheckJsonParts } from './json.js';
import { renderJunit, renderJunitParts } from './junit.js';
import { renderSarif, renderSarifParts } from './sarif.js';
import { renderCodeQuality, renderCodeQualityParts } from './codequality.js';
import { renderGithub, renderGithubParts } from './github.js';
import { renderMarkdown, renderMarkdownParts } from './markdown.js';

export { CHECK_FORMATS, loadCheckReporter, type CheckFormat, type CheckReporter, type CheckPartsReporter } from './formats.js';

export const CHECK_REPORTERS: Record<CheckFormat, CheckReporter> = {
  text: renderCheckText,
  json: renderCheckJson,
  junit: renderJunit,
  sarif: renderSarif,
  codequality: renderCodeQuality,
  github: renderGithub,
  markdown: renderMarkdown,
};

export const CHECK_PARTS: Record<CheckFormat, CheckPartsReporter> = {
  text: renderCheckTextParts,
  json: renderCheckJsonParts,
  junit: renderJunitParts,
  sarif: renderSarifParts,
  codequality: renderCodeQualityParts,
  github: renderGithubParts,
  markdown: renderMarkdownParts,
};
