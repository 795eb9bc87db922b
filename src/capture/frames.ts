// Lines a capture's frame adds around the program's output, known as such only in that kind
// of capture (the demultiplexer detects it from the first lines): as plain lines they are
// shapes a program may print itself (a rule of 22 stars, `Process ID: 42`), and a program
// line that is taken for the console's moves the program's last line (attack notes #72).
//
// - PowerShell's `Start-Transcript` (TranscriptPrologue / TranscriptEpilogue, Windows
//   PowerShell 5.1 and PowerShell 7; `-IncludeInvocationHeader` adds a command's start time
//   between star lines). A transcript starts with a star line and `… transcript start`.
// - A CI runner's own lines in a job log (stamps.ts): GitHub Actions' and Azure Pipelines'
//   `##[group]Run …`, `##[endgroup]`, `##[error]Process completed with exit code 1.`,
//   `##[section]Starting: …`, and `[command]…` (the command line it ran).
// Every part is bounded: nothing backtracks over a long line.

const STARS = '**********************';
const TRANSCRIPT_START = /^(?:Windows )?PowerShell transcript start$/;

const TRANSCRIPT = new RegExp(
  '^(?:' +
    [
      '\\*{22}',
      '(?:Windows )?PowerShell transcript (?:start|end)',
      '(?:Start|End|Command start) time: \\d{14}',
      'Transcript (?:started|stopped), output file is .*',
      // The prologue's fields, as PowerShell writes them (a second session of `-Append` puts one between runs).
      '(?:RunAs User|Configuration Name|Host Application|PSVersion|PSEdition|PSCompatibleVersions|BuildVersion|CLRVersion|WSManStackVersion|PSRemotingProtocolVersion|SerializationVersion|GitCommitId):(?: .*)?',
      'Username: [^\\\\ ]*\\\\[^\\\\ ]*',
      'Machine: [^()]* \\([^()]*\\)',
      'Process ID: \\d+',
      'OS: (?:Microsoft Windows|Linux|Darwin)\\b.*',
      'Platform: (?:Win32NT|Unix)',
    ].join('|') +
    ')$',
);

const RUNNER = /^(?:##\[[a-z]+\]|\[command\])/;

/** The kinds of frame; `null` for none. */
export type Frame = 'transcript' | 'ci-log';

/** Whether the first line that is not blank (trimmed) may open a PowerShell transcript: then the second decides. */
export function mayOpenTranscript(first: string): boolean {
  return first === STARS;
}

/** Whether the second line that is not blank (trimmed), after the first's star line, opens a PowerShell transcript. */
export function opensTranscript(second: string): boolean {
  return TRANSCRIPT_START.test(second);
}

/** Whether a program line (trimmed) is the frame's own. */
export function isFrameLine(frame: Frame, text: string): boolean {
  return frame === 'transcript' ? TRANSCRIPT.test(text) : RUNNER.test(text);
}
