// Program lines, as every dialect reads them: a line no spy pattern claimed is the
// program's own output (`CLSIDFromProgID() returns 0x00000000`, `Object released`), an
// elision the harness printed instead of lines (`more leaks...`), what the console printed
// around the run (a prompt, `Press any key to continue . . .`), a blank, or bytes that are
// not text at all. Which program lines are phase markers is the dialect's to say.
import type { LineEvent, Marker } from './events.js';

const BLANK: LineEvent = { type: 'blank' };

/**
 * Control characters (bar TAB) and DEL: not text. Not U+FFFD: in a log it is text a decoder
 * wrote (PowerShell's, with a UTF-8 OutputEncoding, for a byte of the program's code page), and
 * a program line read as unreadable moved its last line up, making the frees before it
 * exit-time output (attack notes #138).
 */
const BINARY = /[\x00-\x08\x0B-\x1F\x7F]/;
/**
 * The article's own elisions: `more allocations...`, `more leaks...`, `...`: `more` and one
 * word. A sentence of the program's that starts with "More" and trails off (`More than one
 * provider registered, using the first...`) is its output: read as an elision, a complete
 * console capture read possibly-truncated (attack notes #150).
 */
const ELISION = /^(?:more\s+[\w-]+\s*|)(?:\.\.\.|\u2026)$/i;
/** `<Name>(args) returns <value>`: the call a program line reports. */
const CALL = /^([A-Za-z_~][\w:~<>]*)\s*\(.*?\)\s+returns\b/;
/**
 * An HRESULT as programs print it: `0x80070005`, bare hex digits, or its name (`S_OK`,
 * `E_ACCESSDENIED`), after an optional `:`, `=`, `(` or `hr=`. Read as no result, `returns S_OK`
 * was no registration that succeeded: a crashed run and the next one appended after it were read
 * as one, the crashed run's blocks "reused" by the next process's allocations and counted freed
 * (attack notes #147, as #90 was for `0x00000000`).
 */
const HRESULT =
  /^\s*(?:(?:hr\s*)?[:=(]\s*)?(?:(?:0x)?([0-9A-Fa-f]{1,8})|([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)|-(\d{1,10})|0x(?:00000000|FFFFFFFF)([0-9A-Fa-f]{8})|(\d{9,10}))\b/i;
/** The names of the HRESULTs a registration or a revoke returns (winerror.h). */
const HRESULT_NAMES: ReadonlyMap<string, number> = new Map([
  ['S_OK', 0],
  ['S_FALSE', 1],
  ['E_ACCESSDENIED', 0x80070005],
  ['CO_E_OBJISREG', 0x800401fb],
  ['CO_E_OBJNOTREG', 0x800401fc],
  ['CO_E_NOTINITIALIZED', 0x800401f0],
  ['E_INVALIDARG', 0x80070057],
  ['E_OUTOFMEMORY', 0x8007000e],
  ['E_FAIL', 0x80004005],
  ['E_NOINTERFACE', 0x80004002],
  ['E_POINTER', 0x80004003],
  ['E_UNEXPECTED', 0x8000ffff],
  ['E_NOTIMPL', 0x80004001],
  ['RPC_E_CHANGED_MODE', 0x80010106],
]);
/**
 * A shell prompt, possibly with the next command typed after it: cmd's `C:\work\spy>`,
 * PowerShell's `PS C:\work\spy>`. The path holds no character a Windows path cannot (`:`
 * past the drive included), so the prompt's `>` is the first one; and `>` right after `-` or
 * `=` is an arrow, not a prompt: a program's `C:\work\spy\leaks.csv -> 4 blocks written` read as
 * the console's moved its last line up, and the frees before it became exit-time output (attack
 * notes #148). A blank before it is `prompt $P$S$G`'s (`C:\work\spy >`, #158).
 */
const PROMPT = /^(?:PS )?[A-Za-z]:\\(?:[^<>|"*?:\r\n]*[^<>|"*?:\r\n=-])?>/;
/**
 * PowerShell's prompt in a folder it names by its provider: a UNC path (`PS
 * Microsoft.PowerShell.Core\FileSystem::\\fileserver\builds\spy>`; cmd cannot start in one, so
 * only PowerShell prints it), or a drive named so. The path after the provider's name as in
 * PROMPT. Read as the program's, a console paste that ends in it read truncated, its leak
 * `unresolved`, and `baseline` refused it (attack notes #204).
 */
const PS_PROVIDER_PROMPT =
  /^PS Microsoft\.PowerShell\.Core\\FileSystem::(?:[A-Za-z]:\\|\\\\[^\\/<>|"*?:\r\n]+\\)(?:[^<>|"*?:\r\n]*[^<>|"*?:\r\n=-])?>/;
/**
 * The prompt character of starship's and oh-my-posh's prompts (Windows Terminal, VS Code), on
 * the prompt's last line; alone only: a program's menu or list (`❯ Option 1`) is its output
 * (attack notes #204). Not in CONSOLE_LINES: its skeleton (`?`) would make a program's lone `?`
 * or `é` the console's. The line above it (folder, git branch) is free text and stays the
 * program's.
 */
const PROMPT_CHARACTERS = new Set(['\u276F']);
/** What `pause` prints (Visual Studio's Ctrl+F5 runs it), as Windows words it in a few languages; and cmd's Ctrl+C question. */
const CONSOLE_LINES = new Set([
  'Press any key to continue . . .',
  'Drücken Sie eine beliebige Taste . . .',
  'Appuyez sur une touche pour continuer...',
  'Presione una tecla para continuar . . .',
  'Premere un tasto per continuare . . .',
  'Terminate batch job (Y/N)?',
  // Visual Studio 2019 and later, after the program's exit, in its own console (English and German UI).
  'Press any key to close this window . . .',
  'Drücken Sie eine beliebige Taste, um dieses Fenster zu schließen...',
  'To automatically close the console when debugging stops, enable Tools->Options->Debugging->Automatically close the console when debugging stops.',
  // Windows Terminal, when a profile's process ended and the tab stays open.
  'You can now close this terminal with Ctrl+D, or press Enter to restart.',
  // Git for Windows' bash: its prompt's second line (the first is MSYS_PROMPT's), trimmed.
  '$',
]);
/**
 * The console host's own lines with a number or a path in them, as the hosts word them: Visual
 * Studio's `C:\work\spy\x64\Debug\spy.exe (process 14236) exited with code 0.` (the program's full
 * path; 2022 adds ` (0x0)`; in German, `… (Prozess 14236) wurde mit Code 0 beendet.`, attack
 * notes #163), Windows Terminal's `[process exited with code 0 (0x00000000)]`, VS Code's
 * ` *  The terminal process "…" terminated with exit code: 1. ` and ` *  Terminal will be
 * reused by tasks, press any key to close it. `. Read as the program's, its last line was the host's, and
 * the exit-time frees before it ordinary ones: a complete console capture possibly-truncated
 * (attack notes #145, #157). Only these exact shapes: a program's own `Child regsvr32.exe (process
 * 4120) exited with code 0.` or `[process exited with code 0]` is its output (#152).
 */
const CONSOLE_HOST =
  /^(?:[A-Za-z]:\\[^<>|"*?\r\n]*\.exe (?:\(process \d+\) exited with code -?\d+(?: \(0x[0-9A-Fa-f]+\))?|\(Prozess \d+\) wurde mit Code -?\d+(?: \(0x[0-9A-Fa-f]+\))? beendet)\.|\[process exited with code -?\d+ \(0x[0-9A-Fa-f]+\)\]|\* {2}(?:The terminal process ".*" terminated with exit code: -?\d+\.|Terminal will be reused by tasks, press any key to close it\.))$/;

/**
 * Git for Windows' bash prompt, its first line: `user@HOST MINGW64 /c/work/spy`, the MSYS2
 * environment's name, then the folder (and git's branch, `(main)`). Its second line is `$ `
 * (CONSOLE_LINES). Read as the program's, a console capture in Git Bash read truncated: its
 * last line, `$ `, has no line end (attack notes #163).
 */
const MSYS_PROMPT = /^[^\s@]+@[^\s@]+ (?:MINGW64|MINGW32|MSYS|UCRT64|CLANG64|CLANG32|CLANGARM64) [~/]\S*(?: \(.*\))?$/;

/**
 * A console line as it reads whatever decoded its characters outside ASCII: cmd prints them in
 * the console's OEM code page (`ü` is 0x81 in code page 850, read here as Windows-1252's
 * C1 code point), PowerShell with a UTF-8 `OutputEncoding` as U+FFFD, a best-fit conversion as
 * `?`. Each such character is one `?`: German `pause` read so was the program's last line, and
 * the exit-time frees before it ordinary ones (attack notes #140).
 */
const skeleton = (text: string): string => text.replace(/[^\x00-\x7e]|\?/g, '?');
const CONSOLE_SKELETONS = new Set([...CONSOLE_LINES].filter((l) => /[^\x00-\x7e]/.test(l)).map(skeleton));
const SKELETON_LENGTHS = new Set([...CONSOLE_SKELETONS].map((l) => l.length));

/** A shell's prompt, in any of the spellings above: the shell waits for its next command. */
function isPrompt(text: string): boolean {
  return PROMPT.test(text) || PS_PROVIDER_PROMPT.test(text) || PROMPT_CHARACTERS.has(text) || MSYS_PROMPT.test(text) || text === '$';
}

/** The console's own line (a prompt, `pause`), in any of the spellings above. */
function isConsoleLine(text: string): boolean {
  return (
    CONSOLE_LINES.has(text) ||
    isPrompt(text) ||
    CONSOLE_HOST.test(text) ||
    (SKELETON_LENGTHS.has(text.length) && CONSOLE_SKELETONS.has(skeleton(text)))
  );
}

/**
 * A line with a lone CR inside (a program's progress indicator, `item 1 of 2\ritem 2 of 2\r`,
 * then a spy line on the same line): on a console each CR sends the cursor back and what
 * follows overwrites it, so the line is what was written last, the text after the last CR
 * that has any (attack notes #94). Without it the CR is a control byte and the whole line,
 * spy event and all, unreadable. A line of only CRs and blanks is blank.
 */
export function lastWritten(line: string): string {
  let end = line.length;
  while (end > 0) {
    const cr = line.lastIndexOf('\r', end - 1);
    if (cr < 0) return line.slice(0, end);
    const written = line.slice(cr + 1, end);
    if (written.trim() !== '') return written;
    end = cr;
  }
  return '';
}

/** Whether a line holds bytes that are not text (checked before anything reads it as text). */
export function isBinary(line: string): boolean {
  return BINARY.test(line);
}

/**
 * A line that is not a spy event: unreadable, blank, an elision, or a program line with
 * the call it reports. `marker` (and its HRESULT) are the dialect's reading of the line.
 */
export function programLine(line: string, marker: Marker | null = null, hresult: number | null = null): LineEvent {
  if (isBinary(line)) return { type: 'unreadable', text: line };
  const text = line.trim();
  if (text.length === 0) return BLANK;
  if (marker === null) {
    if (ELISION.test(text)) return { type: 'elision', text };
    // The console's own lines around a console capture are not the program's output: they must not become its last line.
    if (isConsoleLine(text)) return { type: 'console', text, prompt: isPrompt(text) };
  }
  const call = CALL.exec(text);
  return { type: 'program', text, call: call ? call[1]! : null, marker, hresult };
}

/** Calls that begin a COM program's run: a new one after a finished run starts a new run (dialect.ts). */
export const COM_INIT_CALLS: ReadonlySet<string> = new Set(['CoInitialize', 'CoInitializeEx', 'OleInitialize']);

/**
 * A COM initialization (`CoInitialize`, `CoInitializeEx`, `OleInitialize`) or the spy's
 * registration, as programs word the line: `CoInitialize() returns 0x00000000`,
 * `::CoRegisterMallocSpy(&g_spy) returns S_OK`, `hr = CoRegisterMallocSpy(pSpy) returned 0x0`,
 * `CoRegisterMallocSpy(&spy) = 0x00000000`, `CoInitialize: hr=0x00000000`. Group 1 is the
 * call, group 2 its arguments (one level of parentheses inside them: `((IMallocSpy*)&spy)`),
 * group 3 what follows.
 */
const SESSION_CALL = new RegExp(
  // Longest names first: `CoInitializeEx` before `CoInitialize`.
  `(?:^|[^\\w])(${[...COM_INIT_CALLS, 'CoRegisterMallocSpy'].sort((x, y) => y.length - x.length).join('|')})(\\s*\\((?:[^()]|\\([^()]*\\))*\\))?(.*)$`,
);
/** What reports a call's result after it: `returns`, `->`, `:`, `=`, then maybe `hr=`; the HRESULT or `succeeded` follows. */
const RESULT_WORDS = /^\s*(?:returns|returned|->|=>|:|=)?\s*(?:hr\s*[:=]\s*)?/i;
/** Without an argument list, only a result that cannot be another number: `0x…`, 8 hex digits, a name. */
const PLAIN_HRESULT = /^(?:0x[0-9A-Fa-f]{1,8}|[0-9A-Fa-f]{8}|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/;

/**
 * Whether a program line opens a COM session: a COM initialization that reports its result,
 * or a registration of the spy that succeeded (threads initialize COM; none registers a spy
 * again). After it, an address allocated again may be another process's (tracker.ts, `reused`):
 * read only as `CoRegisterMallocSpy(&g_spy) returns`, `::CoRegisterMallocSpy(...)`,
 * `CoInitialize: hr=0x00000000` and other spellings let a dead run's leak count freed, and
 * `check` passed (attack notes #166, #177, #178).
 */
export function opensComSession(text: string): boolean {
  const call = sessionCall(text);
  if (call === null) return false;
  return call.name === 'CoRegisterMallocSpy' ? call.result === 0 : call.result !== null;
}

/**
 * What a registration of the spy in any of those wordings returned: its HRESULT, null when it
 * says none, undefined when the line registers no spy. A registration in the dialect's own
 * wording is its marker; this reads the others, for the one question they answer: did a spy
 * watch this run (verdict/nothing.ts; attack notes #209).
 */
export function registrationResult(text: string): number | null | undefined {
  if (!text.includes('CoRegisterMallocSpy')) return undefined;
  const call = sessionCall(text);
  if (call === null || call.name !== 'CoRegisterMallocSpy') return undefined;
  if (call.result !== null) return call.result;
  // Said further on (`done, hr=0x0`, `(hr=0x0)`) or in words (`CoRegisterMallocSpy OK`, `[ OK ]
  // CoRegisterMallocSpy`), in a line that speaks of this call alone (another call's `hr=0`
  // is not its, #222). A failing `hr=` is a refusal; a success needs no failure word, failing
  // HRESULT or question beside it (`Object is already registered.`, `OK? no`, #221);
  // `failed`, `Skipping …` and `Calling …` say no result (#215, #219).
  if (OTHER_CALL.test(text.replace(/CoRegisterMallocSpy/g, ''))) return null;
  const hr = SAID_HRESULT.exec(text);
  const said = hr === null ? null : parseHresult(hr[1]!);
  if (said !== null && said >= 0x80000000) return said;
  if (FAILURE_WORD.test(text) || FAILING_HEX.test(text) || text.includes('?')) return null;
  if (said !== null) return said;
  return SUCCESS_WORD.test(text) ? 0 : null;
}

/** An HRESULT after `hr=` or `hr:` anywhere in a line. */
const SAID_HRESULT = /\bhr\s*[:=]\s*(\S+)/i;
const SUCCESS_WORD = /\b(?:OK|S_OK|succeeded|success(?:ful(?:ly)?)?|registered)\b/i;
const FAILURE_WORD =
  /\b(?:fail(?:s|ed|ure)?|error|not|no|unable|cannot|can't|skip(?:s|ped|ping)?|already|reject(?:s|ed)?|refus(?:es|ed)|denied|invalid|expected|got|E_[A-Z_]+|CO_E_[A-Z_]+)\b/i;
/** A failing HRESULT written out (`0x8…`), or as `%d`. */
const FAILING_HEX = /\b0x[89A-Fa-f][0-9A-Fa-f]{7}\b|-\d{10}\b/;
/** Another call named in the line (`CoInitialize hr=0x0`, `Foo()`). */
const OTHER_CALL = /\b(?:Co|Ole)[A-Z]\w*|\b\w+\(/;

/** The COM session call a program line reports, and its result (null: none said). */
function sessionCall(text: string): { name: string; result: number | null } | null {
  if (!text.includes('Initialize') && !text.includes('CoRegisterMallocSpy')) return null;
  const m = SESSION_CALL.exec(text);
  if (m === null) return null;
  const words = RESULT_WORDS.exec(m[3]!)![0];
  const rest = m[3]!.slice(words.length);
  const said = words.trim();
  let result: number | null;
  if (/^succeeded\b/i.test(rest)) result = 0;
  // `CoInitialize: 2 threads` is no result: without an argument list, a bare number counts only after a word that says it is one (`returned 0`, `-> 0`, `hr=0`).
  else if (m[2] === undefined && (said === '' || said === ':') && !PLAIN_HRESULT.test(rest)) result = null;
  else result = parseHresult(rest);
  return { name: m[1]!, result };
}

/** What `CoRevokeMallocSpy` returns while blocks the spy saw allocated are still alive (SPEC §1). */
export const E_ACCESSDENIED = 0x80070005;

/** The HRESULT at the start of `rest` (`0x80070005`, 8 bare hex digits, or a name in HRESULT_NAMES), or null. */
export function parseHresult(rest: string): number | null {
  const h = HRESULT.exec(rest);
  if (!h) return null;
  if (h[1] !== undefined) return parseInt(h[1], 16) >>> 0;
  // A failure printed with `%d` (`-2147024809`), with `%u` (`2147942487`), or widened to 64 bits
  // (`0xFFFFFFFF80070057`): the same 32 bits (attack notes #206, #215).
  if (h[3] !== undefined) return Number(h[3]) <= 0x80000000 ? -Number(h[3]) >>> 0 : null;
  if (h[4] !== undefined) return parseInt(h[4], 16) >>> 0;
  if (h[5] !== undefined) return Number(h[5]) <= 0xffffffff ? Number(h[5]) : null;
  return HRESULT_NAMES.get(h[2]!) ?? null;
}

/**
 * A hex token that may hold a pointer, as a user-mode process prints one: with `0x`, 8 digits or
 * 16; without (MSVC's `%p`), 8 or 16 starting `0000`, with a letter among them (a run of decimal
 * digits is more likely a number), and not a GUID's first group (`{0002DF01-…}`: a CLSID names a
 * class, the same every run). `pointerLike` then asks its value. Shorter forms (`0x376da0`,
 * `%#llx`) and 16-digit hashes stay: read as pointers, they merged two different calls into one
 * context, and a leak that moved from one to the other passed `diff --fail-on-new` (attack notes
 * #218). A 32-bit `%p` pointer may start with any digit (a heap past 16 MB, a DLL: #223), so an
 * 8-digit CRC with a letter, in that range, reads as one (README, known limits).
 */
const POINTER = /\b(?:0[xX]([0-9A-Fa-f]{16}|[0-9A-Fa-f]{8})|(?<![-{])(?=[0-9]*[A-Fa-f])(0000[0-9A-Fa-f]{12}|[0-9A-Fa-f]{8})(?!-))(?![0-9A-Za-z_])/g;

/**
 * A value a user-mode pointer can have: above 0xFFFF, below 0x80000000 in a 32-bit process (above
 * are HRESULT failures, which stay, being the same every run) and below 0x800000000000 in a 64-bit
 * one (a 64-bit hash is mostly above).
 */
function pointerLike(digits: string): boolean {
  const v = parseInt(digits, 16);
  return v >= 0x10000 && v < (digits.length > 8 ? 0x800000000000 : 0x80000000);
}

/** What a pointer in a context reads as. */
export const ADDRESS_IN_CONTEXT = '<address>';

/**
 * A program line's text as a block's context: its pointers as ADDRESS_IN_CONTEXT. A context
 * names a finding, a baseline row and a diff group, and a pointer changes every run
 * (`Called CoTaskMemFree(0x0000000000376DA0)`, `%p`'s `0000000000376DA0`, `11 blocks held, first at
 * 0x0034D1C0`): with it,
 * a rerun's runtime blocks matched no baseline row and every CI alert changed identity
 * (attack notes #202).
 */
export function stableContext(text: string): string {
  const stable = text.replace(POINTER, (token, prefixed: string | undefined, bare: string | undefined) =>
    pointerLike(prefixed ?? bare!) ? ADDRESS_IN_CONTEXT : token,
  );
  return stable.replace(DURATION, DURATION_IN_CONTEXT).replace(CLOCK, CLOCK_IN_CONTEXT);
}

/** What a time in a context reads as: how long a step took, or the time of day. */
const DURATION_IN_CONTEXT = '<duration>';
const CLOCK_IN_CONTEXT = '<time>';
/**
 * A time a program prints with its progress: `Looked up ADODB.Recordset in 16 ms`, `(0.016s)`,
 * `took 2 seconds`. Like a pointer it changes every run: in a context, a rerun's runtime blocks
 * matched no baseline row and were true leaks (attack notes #226). A number with any other
 * unit (`16 bytes`, `3 items`) stays: it names what the call did.
 */
const DURATION = new RegExp(
  String.raw`(?<![\w.,])\d+(?:[.,]\d+)?\s?(?:ms|msec|msecs|\u00b5s|us|ns|s|sec|secs|seconds?|milliseconds?|microseconds?|ticks)(?![\w])`,
  'g',
);
/**
 * A date or a time of day in a log's usual spellings, for the same reason: `12:03:44.123`,
 * `12:03`, `12:03:44 PM`, `12:03:44Z`, an elapsed `00:01.016`; ISO 8601's
 * `2026-12-01T12:03:44.123+01:00`, `2026-12-01 12:03:44`, `12/01/2026`, `01.12.2026`
 * (attack notes #232). A version (`6.30.17763`) is no date: a dotted date needs its 4-digit year.
 */
const TIME_OF_DAY = String.raw`\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,9})?(?: ?[AaPp]\.?[Mm]\.?)?(?:Z|[+-]\d{2}:?\d{2})?`;
const DATE = String.raw`(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\.\d{1,2}\.\d{4})`;
const CLOCK = new RegExp(String.raw`(?<![\w:./-])(?:${DATE}(?:[T ]${TIME_OF_DAY})?|${TIME_OF_DAY})(?![\w:])`, 'g');
