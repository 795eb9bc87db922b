// Reporters over a CheckResult, picked by name on the command line.
import type { Style } from '../../report/style.js';
import type { CheckResult } from '../gate.js';
import { renderCheckText } from './text.js';
import { renderJunit } from './junit.js';
import { renderSarif } from './sarif.js';

export const CHECK_REPORTERS = {
  text: renderCheckText,
  json: (r: CheckResult) => JSON.stringify(r) + '\n',
  junit: renderJunit,
  sarif: renderSarif,
} satisfies Record<string, (r: CheckResult, style: Style) => string>;

export type CheckFormat = keyof typeof CHECK_REPORTERS;
export const CHECK_FORMATS = Object.keys(CHECK_REPORTERS) as CheckFormat[];
