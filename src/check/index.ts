// `check` as one pure step: baseline, then --assume-complete, then the gate.
import type { Report } from '../report/schema.js';
import type { Baseline } from '../baseline/model.js';
import { applyBaseline, assumeComplete } from './apply.js';
import { gate, type GateResult, type Thresholds } from './gate.js';

export interface CheckOptions {
  thresholds: Thresholds;
  assumeComplete: boolean;
}

export function runCheck(report: Report, baseline: Baseline | null, options: CheckOptions): GateResult {
  let current = report;
  let outcome = null;
  if (baseline) {
    outcome = applyBaseline(current, baseline);
    current = outcome.report;
  }
  if (options.assumeComplete) current = assumeComplete(current);
  return gate(current, options.thresholds, outcome && { ...outcome, file: baseline!.file });
}

export { applyBaseline, assumeComplete } from './apply.js';
export { gate, DEFAULT_THRESHOLDS, POLICIES, type GateResult, type Thresholds, type Policy } from './gate.js';
