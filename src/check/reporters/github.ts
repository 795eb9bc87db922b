// GitHub Actions workflow commands, for repositories without code scanning: one `::error`,
// `::warning` or `::notice` annotation per finding, on the committed file and line it is
// located at, then the verdict as a plain line.
//
// The runner shows 10 annotations of a kind per step and drops the rest silently, so at most
// 10 are written: with more findings, the 9 most severe and one that counts the others.
// Escaping follows the runner (actions/toolkit's command.ts): `%`, CR and LF in the message,
// also `:` and `,` in properties. A command is only recognised at the start of a line, and no
// escaped text holds a line break, so nothing from the log can start a command of its own.
import type { CheckResult } from '../gate.js';
import { ciView, crtLeakReport, type CiFinding, type CiOptions, type Level } from '../findings.js';
import { PLAIN, type Style } from '../../report/style.js';
import { count } from '../../text/words.js';
import { displayLines } from '../../text/display.js';

/** Annotations of one kind the runner shows per step. */
export const MAX_ANNOTATIONS = 10;

/** The runner cuts longer messages. */
const MAX_MESSAGE = 4096;

const COMMAND: Record<Level, string> = { error: 'error', warning: 'warning', note: 'notice' };

export const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
export const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** One workflow command on a line of its own; properties whose value is undefined are left out. */
export function workflowCommand(command: string, message: string, props: [string, string | number | undefined][] = []): string {
  const ps = props.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
  return `::${command}${ps.length ? ' ' + ps.join(',') : ''}::${escapeData(message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE - 1) + '…' : message)}\n`;
}

/** `renderGithub` as the one piece the CLI writes: its size is bounded whatever the log (at most MAX_ANNOTATIONS annotations). */
export function renderGithubParts(r: CheckResult, style: Style = PLAIN, options: CiOptions = {}): string[] {
  return [renderGithub(r, style, options)];
}

export function renderGithub(r: CheckResult, _style: Style = PLAIN, options: CiOptions = {}): string {
  const { findings } = ciView(r, options);
  const shown = findings.length > MAX_ANNOTATIONS ? findings.slice(0, MAX_ANNOTATIONS - 1) : findings;
  const rest = findings.slice(shown.length);
  let out = shown.map(annotation).join('');
  if (rest.length) {
    const byRule = new Map<string, number>();
    for (const f of rest) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    const kinds = [...byRule].map(([rule, n]) => `${n} ${rule.slice('spylog/'.length)}`).join(', ');
    // Its kind is that of the most severe finding it stands for (findings are sorted).
    out += workflowCommand(
      COMMAND[rest[0]!.level],
      `${count(rest.length, 'more finding')} (${kinds}): the job summary and the JUnit or SARIF output list them all.`,
      [['title', `spylog: ${count(rest.length, 'more finding')}`]],
    );
  }
  // Leaks this gate does not judge, but which the log reports: a warning of the run.
  const crt = crtLeakReport(r);
  if (crt) out += workflowCommand('warning', `Line ${crt.line} of the log: ${crt.message}`, [['title', 'spylog: the C runtime reports leaks']]);
  // Log text with bidi controls or invisible characters shows them (`<U+202E>`), as the text report does: the
  // annotations are read by people on a pull request.
  return displayLines(out + r.verdict + '\n', false);
}

function annotation(f: CiFinding): string {
  const sentences = f.details.filter((d) => !/^(0x|…)/.test(d));
  // A finding located in the log points at a file CI seldom commits: GitHub would link to
  // nothing, so it becomes an annotation of the run (the message names the log lines).
  const at: [string, string | number | undefined][] =
    f.location.kind === 'log'
      ? []
      : [
          ['file', f.location.path],
          ['line', f.location.line],
        ];
  return workflowCommand(COMMAND[f.level], [f.message, ...sentences].join(' '), [...at, ['title', `spylog: ${f.title}`]]);
}
