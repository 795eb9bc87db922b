// Library entry: the analysis core and its result type, without the CLI.
export { createAnalyzer, analyzeBuffer, analyzeStream, type AnalyzeOptions, type Analyzer } from './analyze.js';
export { REPORT_SCHEMA, type Report, type ReportBlock, type Finding } from './report/schema.js';
export { CATEGORIES, type Category, type Truncation, type DecidedBy } from './model.js';
export { DEFAULT_MARKERS, type MarkerOptions } from './parse/options.js';
export { REPORTERS, type ReportFormat } from './report/index.js';
export { SpylogError } from './errors.js';
export { diffReports, DIFF_SCHEMA, type DiffResult, type DiffGroup } from './diff/index.js';
