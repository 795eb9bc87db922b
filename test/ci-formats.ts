// What the CI systems that read `spylog check`'s outputs require: the vendored schemas
// (test/schemas/README.md says where each comes from) and, beyond them, the rules their
// documentation and code state that no schema encodes. Each function returns a list of
// problems: empty means the consumer accepts the file as it is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator, type Schema } from 'jsonschema';
import { XmlDocument, XmlParseError, XmlValidateError, XsdValidator } from 'libxml2-wasm';
import { ROOT } from './helpers.js';

const SCHEMAS = join(ROOT, 'test', 'schemas');
const loadJson = (file: string): Schema => JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as Schema;

/** JUnit XML against the Jenkins xUnit plugin's junit-10.xsd (well-formedness included). */
export function junitErrors(xml: string): string[] {
  // libxml2-wasm's objects live in wasm memory: each is disposed explicitly, also on failure.
  const schemaDoc = XmlDocument.fromBuffer(readFileSync(join(SCHEMAS, 'junit-10.xsd')), { url: 'junit-10.xsd' });
  let validator: XsdValidator | undefined;
  let doc: XmlDocument | undefined;
  try {
    validator = XsdValidator.fromDoc(schemaDoc);
    try {
      doc = XmlDocument.fromBuffer(Buffer.from(xml, 'utf8'), { url: 'junit.xml' });
      validator.validate(doc);
      return [];
    } catch (e) {
      if (e instanceof XmlValidateError || e instanceof XmlParseError) {
        const details = e.details ?? [];
        return details.length ? details.map((d) => `line ${d.line}: ${d.message.trim()}`) : [e.message.trim()];
      }
      throw e;
    }
  } finally {
    doc?.dispose();
    validator?.dispose();
    schemaDoc.dispose();
  }
}

/** The SARIF 2.1.0 schema (OASIS errata01) alone. */
export function sarifSchemaErrors(log: unknown): string[] {
  return new Validator().validate(log, loadJson('sarif-2.1.0.json')).errors.map((e) => `schema: ${e.stack}`);
}

/* eslint-disable @typescript-eslint/no-explicit-any -- SARIF and Code Quality documents are walked as plain JSON here */

/**
 * SARIF 2.1.0 plus what GitHub code scanning requires or keys on ("SARIF support for code
 * scanning" and its limits table; github/codeql-action's upload-lib for the category).
 */
export function sarifProblems(log: any): string[] {
  const out = sarifSchemaErrors(log);
  if (log.version !== '2.1.0') out.push('version must be "2.1.0"');
  if (!log.$schema) out.push('$schema is required by GitHub');
  const runs: any[] = log.runs ?? [];
  if (runs.length > 20) out.push(`${runs.length} runs: GitHub rejects more than 20 per file`);
  runs.forEach((run, r) => {
    const at = `runs[${r}]`;
    const d = run.tool?.driver ?? {};
    if (!d.name) out.push(`${at}.tool.driver.name is required`);
    if (!d.semanticVersion && !d.version) out.push(`${at}.tool.driver: no version, so GitHub cannot tell a tool change from a code change`);
    const rules: any[] = d.rules ?? [];
    if (rules.length === 0) out.push(`${at}.tool.driver.rules[] is required by GitHub`);
    rules.forEach((rule, i) => {
      const ra = `${at}.tool.driver.rules[${i}] (${rule.id})`;
      if (!rule.id) out.push(`${ra}.id is required`);
      for (const k of ['shortDescription', 'fullDescription', 'help']) if (!rule[k]?.text) out.push(`${ra}.${k}.text is required by GitHub`);
      for (const k of ['shortDescription', 'fullDescription'])
        if ((rule[k]?.text ?? '').length > 1024) out.push(`${ra}.${k}.text is over 1024 characters`);
      if ((rule.name ?? '').length > 255) out.push(`${ra}.name is over 255 characters`);
      if ((rule.properties?.tags ?? []).length > 20) out.push(`${ra}: more than 20 tags are rejected`);
      if (rule.properties?.['security-severity'] !== undefined) out.push(`${ra}: security-severity makes GitHub treat a leak as a security alert`);
    });
    const id = run.automationDetails?.id;
    if (typeof id !== 'string' || !id) out.push(`${at}.automationDetails.id missing: two uploads for one commit would replace each other`);
    else if (!id.includes('/') || id.lastIndexOf('/') === 0) out.push(`${at}.automationDetails.id "${id}" has no category before its last "/"`);
    const results: any[] = run.results ?? [];
    if (results.length > 25000) out.push(`${at}: ${results.length} results: GitHub rejects more than 25,000`);
    else if (results.length > 5000) out.push(`${at}: ${results.length} results: GitHub shows only 5,000`);
    const ids = new Set(rules.map((x) => x.id));
    const seen = new Map<string, number>();
    results.forEach((res, i) => {
      const ra = `${at}.results[${i}]`;
      if (!res.message?.text) out.push(`${ra}.message.text is required`);
      if (!ids.has(res.ruleId)) out.push(`${ra}.ruleId ${res.ruleId} is not in rules[]`);
      if (res.ruleIndex !== undefined && rules[res.ruleIndex]?.id !== res.ruleId) out.push(`${ra}.ruleIndex does not point at its ruleId`);
      const locs: any[] = res.locations ?? [];
      if (locs.length === 0) out.push(`${ra}: GitHub shows no result without a location`);
      if (locs.length > 1000) out.push(`${ra}: more than 1,000 locations are rejected`);
      const pl = locs[0]?.physicalLocation;
      const uri = pl?.artifactLocation?.uri;
      if (locs.length && (typeof uri !== 'string' || !uri)) out.push(`${ra}.locations[0] needs a non-empty artifactLocation.uri`);
      if (typeof uri === 'string' && uri.includes('\\')) out.push(`${ra}.locations[0] uri ${uri} has a backslash`);
      if (locs.length && !(pl?.region?.startLine >= 1)) out.push(`${ra}.locations[0].physicalLocation.region.startLine is required`);
      const h = res.partialFingerprints?.primaryLocationLineHash;
      if (typeof h !== 'string' || !/^[0-9a-f]{1,16}:[1-9][0-9]*$/.test(h))
        out.push(`${ra}.partialFingerprints.primaryLocationLineHash missing or not in GitHub's "hex:n" shape`);
      else {
        const key = `${res.ruleId}\0${h}`;
        if (seen.has(key)) out.push(`${ra}: same ruleId and primaryLocationLineHash as results[${seen.get(key)}]: GitHub makes them one alert`);
        seen.set(key, i);
      }
    });
  });
  return out;
}

/** GitLab Code Quality: its schema for every entry, plus what its documentation requires. */
export function codeQualityProblems(report: any): string[] {
  if (!Array.isArray(report)) return ['the report must be a single JSON array'];
  const schema = loadJson('codequality.schema.json');
  const out: string[] = [];
  const fingerprints = new Map<string, number>();
  report.forEach((x, i) => {
    const at = `[${i}]`;
    // GitLab stops reading the file at the first entry its schema rejects.
    for (const e of new Validator().validate(x, schema).errors) out.push(`${at} schema: ${e.stack}`);
    if (typeof x.check_name !== 'string' || !x.check_name) out.push(`${at}.check_name is required`);
    if (!['info', 'minor', 'major', 'critical', 'blocker'].includes(x.severity))
      out.push(`${at}.severity ${JSON.stringify(x.severity)} is not one of GitLab's`);
    const path = x.location?.path;
    if (typeof path !== 'string' || !path) out.push(`${at}.location.path is required`);
    else if (/^([a-z]:|\/|\\)/i.test(path) || path.includes('\\')) out.push(`${at}.location.path ${path} is not relative with /`);
    const line = x.location?.lines?.begin ?? x.location?.positions?.begin?.line;
    if (!Number.isInteger(line) || line < 1) out.push(`${at}: location.lines.begin must be a whole number >= 1`);
    if (typeof x.description !== 'string' || !x.description || /[\r\n]/.test(x.description)) out.push(`${at}.description must be one line of text`);
    if (fingerprints.has(x.fingerprint)) out.push(`${at}.fingerprint equals [${fingerprints.get(x.fingerprint)}]'s: GitLab keeps one of them`);
    fingerprints.set(x.fingerprint, i);
  });
  return out;
}

/* eslint-enable @typescript-eslint/no-explicit-any */

/** A parsed workflow command, as the Actions runner reads one (actions/runner ActionCommand.TryParseV2). */
export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

/** The runner's unescaping: %0D, %0A (and in properties %3A, %2C) first, %25 last. */
const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

/** Every line of `text` the runner would take for a workflow command. */
export function workflowCommands(text: string): WorkflowCommand[] {
  const out: WorkflowCommand[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimStart();
    if (!line.startsWith('::')) continue;
    const end = line.indexOf('::', 2);
    if (end < 0) continue;
    const head = line.slice(2, end);
    const space = head.indexOf(' ');
    const command = space < 0 ? head : head.slice(0, space);
    const properties: Record<string, string> = {};
    if (space >= 0) {
      for (const kv of head.slice(space + 1).split(',')) {
        const eq = kv.indexOf('=');
        if (eq > 0) properties[kv.slice(0, eq)] = unescapeProperty(kv.slice(eq + 1));
      }
    }
    out.push({ command, properties, message: unescapeData(line.slice(end + 2)) });
  }
  return out;
}

/** Annotations as GitHub shows them: at most 10 a step, only error/warning/notice, well-formed positions. */
export function annotationProblems(text: string): string[] {
  const out: string[] = [];
  const commands = workflowCommands(text);
  for (const c of commands) {
    if (!['error', 'warning', 'notice'].includes(c.command)) out.push(`::${c.command}:: is not an annotation (text reached the runner as a command)`);
    for (const k of Object.keys(c.properties))
      if (!['file', 'line', 'endLine', 'col', 'endColumn', 'title'].includes(k)) out.push(`unknown property ${k}`);
    const line = c.properties.line;
    if (line !== undefined && !/^[1-9][0-9]*$/.test(line)) out.push(`line=${line} is not a line number`);
    if (line !== undefined && c.properties.file === undefined) out.push('line= without file=');
    if (c.message.length > 4096) out.push('message over 4096 characters (the runner cuts it)');
  }
  for (const kind of ['error', 'warning', 'notice']) {
    const n = commands.filter((c) => c.command === kind).length;
    if (n > 10) out.push(`${n} ::${kind}:: annotations: the runner shows 10 a step`);
  }
  return out;
}
