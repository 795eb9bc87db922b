// SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer), with every property GitHub
// requires, keys on or shows: rules with help, the tool's version, one category per log
// (`automationDetails.id`), `partialFingerprints.primaryLocationLineHash`, a location with a
// start line, and at most 5,000 results.
//
// One result per leak site (rule + context + size), not per block: GitHub makes one alert of
// each result, and a leak that grows from 2 to 3 blocks is still one leak to fix, not a new
// alert; the blocks are listed in the message and properties.
//
// `primaryLocationLineHash` is the finding's identity in GitHub's `<hex>:<n>` shape, not
// GitHub's hash of the source text around the location. Results located in the log would get
// a new hash every run (the log's addresses change), results that share a location (several
// leaks convicted by one baseline line, or an --anchor) would all get the same one and merge
// into one alert, and an edit near the anchor would reopen every alert. The upload action
// keeps a hash it is given (it warns when it would have computed another).
import type { CheckResult } from '../gate.js';
import { ciView, RULE_IDS, type CiFinding, type CiOptions, type RuleId } from '../findings.js';
import { PLAIN, type Style } from '../../report/style.js';
import { count, num } from '../../text/words.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** GitHub shows the first 5,000 results of a run and rejects a file with more than 25,000. */
export const SARIF_MAX_RESULTS = 5000;

/** At most this many log lines per result as related locations (GitHub shows 100 locations; the rest are in properties). */
const MAX_RELATED = 10;

const BASELINE_HELP =
  'Make a baseline once from a console capture of the same program (`spylog baseline console.log > known-runtime.csv`) and pass it with `--baseline`: ' +
  'blocks the runtime holds until ExitProcess are then decided, and in contexts the baseline declares complete (`# complete: <context>`) the others are leaks.';

export const SARIF_RULES: Record<RuleId, object> = {
  'spylog/true-leak': {
    id: 'spylog/true-leak',
    name: 'TrueLeak',
    shortDescription: { text: 'COM task memory the program never freed' },
    fullDescription: {
      text: 'A block allocated through the COM allocator (CoTaskMemAlloc, or a COM API that returns caller-owned memory) that was never freed, in a log that is complete or decided by a baseline: the program leaked it.',
    },
    help: {
      text:
        'The program allocated this memory through the COM task allocator and never freed it, and the log shows the whole run (or a baseline lists everything the runtime holds in that context). ' +
        'Find the allocation by its context (the program call it happened in) and size, and free it with CoTaskMemFree (SysFreeString for a BSTR, Release for an interface). ' +
        'The result lists the log lines of the allocations and the first dump bytes of each block.',
      markdown:
        'The program allocated this memory through the COM task allocator and never freed it, and the log shows the whole run (or a baseline lists everything the runtime holds in that context).\n\n' +
        '* Find the allocation by its **context** (the program call it happened in) and **size**.\n' +
        '* Free it with `CoTaskMemFree` (`SysFreeString` for a `BSTR`, `Release` for an interface).\n\n' +
        'The result lists the log lines of the allocations and the first dump bytes of each block.',
    },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['memory', 'com', 'leak'], precision: 'high', 'problem.severity': 'error' },
  },
  'spylog/unresolved': {
    id: 'spylog/unresolved',
    name: 'UnresolvedBlock',
    shortDescription: { text: 'Never freed, but the log may be truncated' },
    fullDescription: {
      text: 'A block never freed in a log that may have lost its ExitProcess output (stdout redirected): memory the COM runtime frees at exit, or a leak. The log cannot tell.',
    },
    help: {
      text:
        'The C runtime flushes and closes a redirected stdout before ExitProcess unloads the DLLs that free runtime-held memory (clbcatq.dll, the OLEAUT32 BSTR cache), so a redirected log loses exactly the lines that would show these blocks freed. ' +
        BASELINE_HELP +
        ' Or capture the run on a console, or pass --assume-complete if the log is known to be whole.',
      markdown:
        'The C runtime flushes and closes a redirected stdout before `ExitProcess` unloads the DLLs that free runtime-held memory (`clbcatq.dll`, the OLEAUT32 BSTR cache), so a redirected log loses exactly the lines that would show these blocks freed.\n\n' +
        BASELINE_HELP +
        '\n\nOr capture the run on a console, or pass `--assume-complete` if the log is known to be whole.',
    },
    defaultConfiguration: { level: 'warning' },
    properties: { tags: ['memory', 'com', 'truncated-log'], precision: 'medium', 'problem.severity': 'warning' },
  },
  'spylog/stale-baseline': {
    id: 'spylog/stale-baseline',
    name: 'StaleBaseline',
    shortDescription: { text: 'A baseline entry found fewer blocks than it expects' },
    fullDescription: { text: 'The runtime no longer holds memory the baseline lists, or the program changed: regenerate the baseline.' },
    help: {
      text: 'A row of the baseline expects blocks the log no longer shows. Regenerate the baseline from a console capture of the current program: spylog baseline console.log > known-runtime.csv',
      markdown:
        'A row of the baseline expects blocks the log no longer shows. Regenerate the baseline from a console capture of the current program:\n\n```\nspylog baseline console.log > known-runtime.csv\n```',
    },
    defaultConfiguration: { level: 'warning' },
    properties: { tags: ['memory', 'com', 'baseline'], precision: 'very-high', 'problem.severity': 'warning' },
  },
};

/** `renderSarif` as the one piece the CLI writes: its size is bounded whatever the log (at most SARIF_MAX_RESULTS results, each with capped lists). */
export function renderSarifParts(r: CheckResult, style: Style = PLAIN, options: CiOptions = {}): string[] {
  return [renderSarif(r, style, options)];
}

export function renderSarif(r: CheckResult, _style: Style = PLAIN, options: CiOptions = {}): string {
  const view = ciView(r, options);
  // Most severe and largest first (ciView's order): what GitHub would show anyway.
  const shown = view.findings.slice(0, SARIF_MAX_RESULTS);
  const omitted = view.findings.length - shown.length;
  const notifications: object[] = [];
  if (omitted > 0) {
    notifications.push({
      descriptor: { id: 'spylog/results-capped' },
      level: 'note',
      message: {
        text: `${count(omitted, 'result')} left out: GitHub shows at most ${num(SARIF_MAX_RESULTS)} results a run, so only the most severe and largest are here. The JSON or JUnit output lists them all.`,
      },
    });
  }
  // Leaks this gate does not judge, but which the log reports: said of the run, not a result (it has no rule of its own).
  const crt = view.crtReport;
  if (crt) {
    notifications.push({
      descriptor: { id: crt.id },
      level: 'warning',
      message: { text: crt.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: toUri(view.logPath) }, region: { startLine: crt.line } } }],
    });
  }
  const tool = options.tool ?? {};
  const semver = tool.version !== undefined && /^\d+\.\d+\.\d+(?:[-+].*)?$/.test(tool.version);
  const run = {
    tool: {
      driver: {
        name: 'spylog',
        ...(tool.version !== undefined ? { version: tool.version } : {}),
        ...(semver ? { semanticVersion: tool.version } : {}),
        ...(tool.informationUri !== undefined ? { informationUri: tool.informationUri } : {}),
        rules: RULE_IDS.map((id) => SARIF_RULES[id]),
      },
    },
    // The category is everything before the last '/': one per log, so the SARIF files of two
    // logs checked in one workflow do not replace each other. It takes precedence over the
    // upload action's `category` input.
    automationDetails: { id: `spylog/${view.name}/` },
    invocations: [
      {
        executionSuccessful: true,
        ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
      },
    ],
    results: shown.map((f) => result(f)),
    columnKind: 'utf16CodeUnits',
    properties: {
      logId: view.name,
      log: view.logPath,
      verdict: r.verdict,
      passed: r.passed,
      truncation: r.report.truncation,
      results: view.findings.length,
      resultsOmitted: omitted,
    },
  };
  return JSON.stringify({ $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] }, null, 2) + '\n';
}

function result(f: CiFinding) {
  const related = f.logLines.slice(0, MAX_RELATED).map((line, i) => ({
    id: i + 1,
    physicalLocation: { artifactLocation: { uri: toUri(f.logPath) }, region: { startLine: line } },
    message: { text: `log line ${line}` },
  }));
  // GitHub shows the first sentence as the title, and turns [text](id) into links to related locations.
  const links = related.map((x) => `[line ${x.physicalLocation.region.startLine}](${x.id})`);
  const where = related.length
    ? ` Allocated at log ${links.join(', ')}${f.logLines.length > related.length ? `, … (${f.logLines.length} in all)` : ''}.`
    : '';
  const extra = f.details.filter((d) => !/^(Allocated at |0x|…)/.test(d));
  return {
    ruleId: f.rule,
    ruleIndex: RULE_IDS.indexOf(f.rule),
    level: f.level,
    message: { text: [f.message + where, ...extra].join(' ') },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: toUri(f.location.path) }, region: { startLine: f.location.line } },
        message: {
          text: f.stale
            ? 'the baseline row'
            : f.unseenAt !== undefined && f.location.kind === 'log'
              ? "the spy's output that shows blocks this log lost"
              : LOCATION_WHY[f.location.kind],
        },
      },
    ],
    ...(related.length ? { relatedLocations: related.map(({ id, physicalLocation, message }) => ({ id, physicalLocation, message })) } : {}),
    partialFingerprints: { primaryLocationLineHash: f.lineHash },
    fingerprints: { 'spylog/v1': f.fingerprint },
    properties: {
      context: f.context,
      size: f.size,
      blocks: f.blocks,
      bytes: f.bytes,
      locatedBy: f.location.kind,
      logLines: f.logLines.slice(0, 100),
      ...(f.blockList.length
        ? {
            addresses: f.blockList.slice(0, 100).map((b) => b.address),
            decidedBy: [...new Set(f.blockList.map((b) => b.decidedBy))],
            data: f.blockList[0]!.data,
          }
        : {}),
      ...(f.stale ? { baselineLine: f.stale.line, pattern: f.stale.pattern, expected: f.stale.expected, found: f.stale.found } : {}),
    },
  };
}

const LOCATION_WHY: Record<CiFinding['location']['kind'], string> = {
  source: 'the source line the C runtime recorded for the allocation',
  baseline: 'the baseline line that decided this',
  anchor: 'the file named with --anchor',
  log: 'the allocation in the log',
};

/** A path as a URI reference: forward slashes, and characters a URI cannot hold escaped. */
export function toUri(path: string): string {
  if (path === '-') return 'stdin';
  const p = path.replace(/\\/g, '/');
  const drive = /^[A-Za-z]:\//.test(p);
  return (drive ? 'file:///' : '') + encodeURI(p).replace(/[?#]/g, encodeURIComponent);
}
