// `check` as a function: the gate over a report whose blocks the analysis decided (give
// the analysis the baseline and --assume-complete), and the reporters over its result.
export {
  gate,
  checkVerdict,
  DEFAULT_THRESHOLDS,
  POLICIES,
  type CheckResult,
  type Thresholds,
  type Policy,
  type GateCheck,
  type BlockGroup,
  type Outcome,
} from './gate.js';
export { CHECK_REPORTERS, CHECK_PARTS, CHECK_FORMATS, type CheckFormat, type CheckReporter, type CheckPartsReporter } from './reporters/index.js';
export { ciView, type CiOptions, type CiView, type CiFinding, type FindingLocation, type RuleId, type Level } from './findings.js';
