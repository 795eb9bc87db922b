// The library: everything the CLI does, as functions over data. `analyze*` read a log into a
// Report whose blocks are decided once (pass a baseline and assumeComplete to decide what
// the log cannot); `check`'s gate, `diff` and `baseline` are pure functions over Reports;
// reporters render each result type and take a Style (PLAIN, or COLOR for a terminal).
export { createAnalyzer, analyzeBuffer, analyzeStream, type AnalyzeOptions, type Analyzer } from './analyze.js';
export {
  REPORT_SCHEMA,
  type Report,
  type ReportBlock,
  type Finding,
  type DeferredReleaseFinding,
  type UnboundedGrowthFinding,
  type Anomaly,
  type BaselineUse,
  type StaleRow,
  type DataHint,
  type HolderHint,
  type TestReport,
  type TestOutcome,
} from './model/report.js';
export { CATEGORIES, CATEGORY_MEANING, type Category, type Truncation, type DecidedBy, type Tally } from './model/block.js';
export { COMPLETENESS_RULES, type CompletenessRule, type CompletenessRuleId } from './verdict/completeness.js';
export { DEFAULT_MARKERS, type MarkerOptions } from './parse/options.js';
// Leak-hunting aids: how the program's test runner prints its tests, and the known runtime holders.
export { compileTestPatterns, GTEST_TESTS, type TestPatterns } from './parse/tests.js';
export { KNOWN_HOLDERS, type KnownHolder, type KnownHolders } from './hint/holders.js';
export { SpylogError, type ErrorCode } from './errors.js';

// Dialects: how a log is worded.
export { parseUserDialect } from './dialect/user.js';
export { builtinDialect, BUILTIN_DIALECTS } from './dialect/registry.js';
export type { Dialect, DialectReader, Emit } from './dialect/dialect.js';
export type { LineEvent } from './parse/events.js';

// Reporters and their style.
export { REPORTERS, REPORT_FORMATS, type Reporter, type ReportFormat } from './report/index.js';
export { renderHtml } from './report/html.js';
export { PLAIN, COLOR, type Style } from './report/style.js';
export { noDialectMatched } from './verdict/nothing.js';

// check: the CI gate over a decided report.
export { gate, checkVerdict, DEFAULT_THRESHOLDS, POLICIES, CHECK_REPORTERS, CHECK_PARTS, CHECK_FORMATS, ciView } from './check/index.js';
export type {
  CheckResult,
  Thresholds,
  Policy,
  GateCheck,
  BlockGroup,
  Outcome,
  CheckFormat,
  CheckReporter,
  CheckPartsReporter,
  CiOptions,
  CiView,
  CiFinding,
} from './check/index.js';

// baseline: known runtime-held memory, made from a complete reference run.
export { buildBaseline, renderBaseline } from './baseline/build.js';
export { parseBaseline } from './baseline/read.js';
export type { Baseline, BaselineEntry } from './baseline/model.js';

// diff: what changed between two runs.
export { diffReports, failOnNew, FAIL_ON_NEW, DIFF_SCHEMA, DIFF_REPORTERS, DIFF_PARTS, DIFF_FORMATS } from './diff/index.js';
export type {
  DiffResult,
  DiffGroup,
  DiffSide,
  CategoryDelta,
  FailOnNew,
  NewBlocksResult,
  DiffFormat,
  DiffReporter,
  DiffPartsReporter,
} from './diff/index.js';
