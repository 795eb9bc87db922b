// UTF-8 bytes → lines, streaming, in bounded memory. A hand-written scanner rather than
// split2, because the analysis needs what split2 cannot give: exact line numbers even when
// a line is too long (split2 either errors the stream or drops the line silently with
// `skipOverflow`), whether the last line had a line end (the truncation verdict depends on
// it), where each line lies in the bytes (the C runtime's 4096-byte buffers are counted
// from a run's first byte), and no rescanning of a pending partial line on every chunk.
//
// Line ends are LF, CRLF, or CR CR LF (a program that prints "\r\n" to a text-mode stdout):
// every CR before the LF belongs to the line end, never to the line (SPEC §2). A LF byte
// never occurs inside a multi-byte UTF-8 character, so lines are found in the bytes, and
// each line is decoded on its own (codepage.ts: UTF-8, else Windows-1252 byte by byte).

import { approximateLength, decodeLine, utf16Line } from './codepage.js';

/** Where a line lies in the input's (UTF-8) bytes: for the C runtime's buffer arithmetic. */
export interface LinePosition {
  /** Offset of the line's first byte. */
  start: number;
  /** Offset just past its line end: the next line's first byte. */
  next: number;
  /** Lines ended by CR LF (one or more CRs, then LF) before this line, and through it. */
  crlfBefore: number;
  crlfThrough: number;
}

export interface LineSink {
  /**
   * One line, without its line end. `dropped` counts the characters cut off an overlong
   * line (0 normally): the line is kept to `maxLineLength` characters. `at` is valid during
   * the call only (the splitter reuses it).
   */
  line(text: string, lineNo: number, dropped: number, at: Readonly<LinePosition>): void;
  /**
   * Optional byte path: a line starts at bytes[start], in a chunk of `len` bytes. The sink
   * may consume it undecoded if its line end is in the chunk and the line (without its line
   * end) ends at `maxEnd` or before: it returns the index of the LF that ends it. Otherwise
   * -1, and the line comes again, decoded, through `line`. Nothing may keep `bytes`.
   * `base` is the chunk's offset in the input and `crlf` the lines ended by CR LF before
   * this one: what `LinePosition` would say of the line.
   */
  span?(bytes: Buffer, start: number, len: number, maxEnd: number, lineNo: number, base: number, crlf: number): number;
  /**
   * Whether `span` may take lines now: asked once per chunk, and `span` is called only
   * when it said yes (no means every line of the chunk is decoded). Once yes, always yes.
   */
  spanning?(): boolean;
}

const LF = 10;
const CR = 13;

export class LineSplitter {
  /** Lines emitted so far (= the number of the last line emitted). */
  lineNo = 0;
  /** True when the input ended on a line end (or was empty). */
  endedOnLineEnd = true;
  /** True when the input's last line ended in a bare CR: a line end cut between CR and LF. */
  endedOnBareCR = false;
  /** Bytes of the DOS end-of-file mark (Ctrl+Z) the input ended with after its last line end: not a line (see `end`). */
  endMark = 0;
  /** Bytes pushed so far. */
  bytes = 0;
  /** A line of UTF-16LE was read (see `text`). */
  private wide = false;
  /** Lines ended by CR LF so far (what the C runtime's text mode added: one CR per line). */
  crlf = 0;

  private readonly at: LinePosition = { start: 0, next: 0, crlfBefore: 0, crlfThrough: 0 };
  private readonly hasSpan: boolean;
  /**
   * A line split across chunks: its first bytes (at most `cap`, copied), how many more
   * there were and about how many characters they hold, the CRs that end what was seen so
   * far, and where it started.
   */
  private held: Buffer[] = [];
  private heldLength = 0;
  private overBytes = 0;
  private overChars = 0;
  private tailCRs = 0;
  private heldStart = 0;
  private pending = false;
  /** Bytes of a line kept to decode it: enough for `maxLineLength` characters and one more, whatever the encoding. */
  private readonly cap: number;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineLength: number,
  ) {
    this.hasSpan = typeof sink.span === 'function' && typeof sink.spanning === 'function';
    this.cap = 4 * (maxLineLength + 1);
  }

  push(bytes: Buffer): void {
    const len = bytes.length;
    const base = this.bytes;
    this.bytes += len;
    let start = 0;
    if (this.pending) {
      // The line held from the last chunk goes on to its LF.
      const nl = bytes.indexOf(LF);
      if (nl === -1) {
        this.hold(bytes, 0, len);
        return;
      }
      this.hold(bytes, 0, nl);
      this.flushHeld(base + nl + 1, true);
      start = nl + 1;
    }
    const sink = this.sink;
    const spanning = this.hasSpan && sink.spanning!();
    const max = this.maxLineLength;
    while (start < len) {
      if (spanning) {
        // No more bytes than the limit: no more characters either.
        const lf = sink.span!(bytes, start, len, start + max, this.lineNo + 1, base, this.crlf);
        if (lf >= 0) {
          this.lineNo++;
          if (bytes[lf - 1] === CR) this.crlf++;
          start = lf + 1;
          continue;
        }
      }
      const nl = bytes.indexOf(LF, start);
      if (nl === -1) {
        this.heldStart = base + start;
        this.hold(bytes, start, len);
        return;
      }
      this.emit(bytes, start, nl, base);
      start = nl + 1;
    }
  }

  end(): void {
    if (this.pending && this.wide && this.heldLength === 1 && this.overBytes === 0 && this.held[0]![0] === 0) {
      // The second byte of the last LF of a stretch of UTF-16LE (see `text`): the line end is whole.
      this.held = [];
      this.heldLength = 0;
      this.pending = false;
      return;
    }
    if (this.pending && this.overBytes === 0) {
      // Ctrl+Z at the end: the end-of-file mark `copy` writes when it joins files (`copy
      // a.log+b.log all.log` copies text, and ends the copy with one), and old editors too.
      // Read as text it was the log's last line, cut and unreadable: a complete capture
      // `truncated`, its leak undecided and `baseline` refused (attack notes #143). After a
      // line end it is no line; after a last line with none (a console paste ending in its
      // prompt) that line is what was cut, or not, without it (#155).
      const held = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldLength);
      let end = held.length;
      while (end > 0 && held[end - 1] === 0x1a) end--;
      if (end < held.length) {
        this.endMark = held.length - end;
        this.held = end === 0 ? [] : [held.subarray(0, end)];
        this.heldLength = end;
        this.pending = end > 0;
        let crs = 0;
        while (crs < end && held[end - 1 - crs] === CR) crs++;
        this.tailCRs = crs;
        if (!this.pending) return;
      }
    }
    if (this.pending) {
      this.endedOnLineEnd = false;
      this.endedOnBareCR = this.tailCRs > 0;
      this.flushHeld(this.bytes, false);
    }
  }

  /** A line's bytes as text: UTF-8 (or a code page), or a line of UTF-16LE appended to a UTF-8 file (codepage.ts `utf16Line`). */
  private text(bytes: Buffer, start: number, end: number): string {
    const text = decodeLine(bytes, start, end);
    if (!text.includes('\0')) return text;
    const wide = utf16Line(bytes, start, end);
    if (wide !== null) {
      this.wide = true;
      return wide;
    }
    // Plain bytes again after a stretch of UTF-16LE (cmd's `>>` after PowerShell's): the NUL
    // before them is the second byte of that stretch's last LF (attack notes #102).
    if (this.wide && bytes[start] === 0) {
      const rest = decodeLine(bytes, start + 1, end);
      if (!rest.includes('\0')) return rest;
    }
    return text;
  }

  /** A whole line bytes[start, nl) of this chunk, nl its LF. */
  private emit(bytes: Buffer, start: number, nl: number, base: number): void {
    let end = nl;
    while (end > start && bytes[end - 1] === CR) end--;
    const at = this.at;
    at.start = base + start;
    at.next = base + nl + 1;
    at.crlfBefore = this.crlf;
    if (end < nl) this.crlf++;
    at.crlfThrough = this.crlf;
    const content = end - start;
    if (content <= this.maxLineLength) {
      this.sink.line(this.text(bytes, start, end), ++this.lineNo, 0, at);
      return;
    }
    const keep = Math.min(content, this.cap);
    this.deliver(decodeLine(bytes, start, start + keep), approximateLength(bytes, start + keep, end));
  }

  /** Keeps bytes[from, to) of the pending line: its first `cap` bytes; the rest only counted. */
  private hold(bytes: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.pending = true;
    let crs = 0;
    while (to - crs > from && bytes[to - crs - 1] === CR) crs++;
    this.tailCRs = crs === to - from ? this.tailCRs + crs : crs;
    const take = Math.min(this.cap - this.heldLength, to - from);
    if (take > 0) {
      this.held.push(Buffer.from(bytes.subarray(from, from + take)));
      this.heldLength += take;
    }
    if (from + take < to) {
      this.overBytes += to - from - take;
      this.overChars += approximateLength(bytes, from + take, to);
    }
  }

  /** The pending line is complete: `next` is where the following line starts, `lf` whether a LF ended it. */
  private flushHeld(next: number, lf: boolean): void {
    // Its trailing CRs belong to the line end: drop them from the counted rest first, then from the kept bytes.
    let crs = this.tailCRs;
    const fromOver = Math.min(crs, this.overBytes);
    this.overBytes -= fromOver;
    this.overChars -= fromOver;
    crs -= fromOver;
    const kept = this.heldLength - crs;
    const bytes = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldLength);
    const at = this.at;
    at.start = this.heldStart;
    at.next = next;
    at.crlfBefore = this.crlf;
    if (lf && this.tailCRs > 0) this.crlf++;
    at.crlfThrough = this.crlf;
    const content = kept + this.overBytes;
    const text = this.text(bytes, 0, kept);
    const over = this.overChars;
    this.held = [];
    this.heldLength = 0;
    this.overBytes = 0;
    this.overChars = 0;
    this.tailCRs = 0;
    this.pending = false;
    if (content <= this.maxLineLength) this.sink.line(text, ++this.lineNo, 0, at);
    else this.deliver(text, over);
  }

  /** A line longer in bytes than the limit: cut to the limit in characters, the rest counted. */
  private deliver(text: string, over: number): void {
    let dropped = 0;
    if (text.length > this.maxLineLength) {
      dropped = text.length - this.maxLineLength + over;
      text = text.slice(0, this.maxLineLength);
    }
    this.sink.line(text, ++this.lineNo, dropped, this.at);
  }
}
