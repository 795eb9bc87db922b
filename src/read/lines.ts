// Text → lines, streaming, in bounded memory. A hand-written scanner rather than
// split2, because the analysis needs three things split2 cannot give: exact line
// numbers even when a line is too long (split2 either errors the stream or drops the
// line silently with `skipOverflow`), whether the last line had a line end (the
// truncation verdict depends on it), and no rescanning of a pending partial line on
// every chunk (split2 re-splits its whole buffer, quadratic on a 50 MB line).

import { StringDecoder } from 'node:string_decoder';

export interface LineSink {
  /**
   * One line, without its line end (LF or CRLF). `dropped` counts the characters cut
   * off an overlong line (0 normally): the line is kept to `maxLineLength` characters.
   */
  line(text: string, lineNo: number, dropped: number): void;
  /**
   * Optional hot path (Utf8LineSplitter): a line starts at bytes[start], in a chunk of
   * `len` bytes. The sink may consume it undecoded if its line end is in the chunk and the
   * line (without its line end) ends at `maxEnd` or before: it returns the index of the
   * LF that ends it. Otherwise -1, and the line comes again, decoded, through `line`.
   * Nothing may keep `bytes`.
   */
  span?(bytes: Buffer, start: number, len: number, maxEnd: number, lineNo: number): number;
  /**
   * Whether `span` may take lines now: asked once per chunk, and `span` is called only
   * when it said yes (no means every line of the chunk is decoded). Once yes, always yes.
   */
  spanning?(): boolean;
}

export class LineSplitter {
  /** Lines emitted so far (= the number of the last line emitted). */
  lineNo = 0;
  /** True when the input ended on a line end (or was empty). */
  endedOnLineEnd = true;
  /** True when the input's last line ended in a bare CR: a CRLF cut between CR and LF. */
  endedOnBareCR = false;
  private pending = '';
  private dropped = 0;
  /** Whether the last character of the pending line (kept or dropped) is a CR. */
  private lastCR = false;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineLength: number,
  ) {}

  push(text: string): void {
    let start = 0;
    const len = text.length;
    while (start < len) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) {
        this.keep(text, start, len);
        return;
      }
      if (this.pending === '' && this.dropped === 0) {
        // Hot path: the whole line lies inside this chunk.
        let end = nl;
        if (end > start && text.charCodeAt(end - 1) === 13) end--;
        if (end - start <= this.maxLineLength) {
          this.sink.line(own(text.slice(start, end)), ++this.lineNo, 0);
        } else {
          this.sink.line(own(text.slice(start, start + this.maxLineLength)), ++this.lineNo, end - start - this.maxLineLength);
        }
      } else {
        this.keep(text, start, nl);
        this.flushPending();
      }
      start = nl + 1;
    }
  }

  /** A line the caller consumed itself (Utf8LineSplitter's hot path): only numbered. */
  skip(): void {
    this.lineNo++;
  }

  end(): void {
    if (this.pending !== '' || this.dropped > 0) {
      this.endedOnLineEnd = false;
      this.endedOnBareCR = this.lastCR;
      this.flushPending();
    }
  }

  /** Appends text[from, to) to the pending partial line, never past the limit. */
  private keep(text: string, from: number, to: number): void {
    if (to > from) this.lastCR = text.charCodeAt(to - 1) === 13;
    const room = this.maxLineLength + 1 - this.pending.length; // +1: a CR may follow
    if (room > 0) {
      const take = Math.min(room, to - from);
      this.pending += text.slice(from, from + take);
      this.dropped += to - from - take;
    } else {
      this.dropped += to - from;
    }
  }

  private flushPending(): void {
    let text = this.pending;
    let dropped = this.dropped;
    if (this.lastCR) {
      // The CR belongs to the line end, whether it was kept or counted as dropped.
      if (dropped > 0) dropped--;
      else text = text.slice(0, -1);
    }
    this.lastCR = false;
    if (text.length > this.maxLineLength) {
      dropped += text.length - this.maxLineLength;
      text = text.slice(0, this.maxLineLength);
    }
    this.pending = '';
    this.dropped = 0;
    this.sink.line(own(text), ++this.lineNo, dropped);
  }
}

/**
 * UTF-8 bytes → lines. The line ends are found in the bytes (a LF byte never occurs
 * inside a multi-byte UTF-8 character), and each whole line of the chunk is first offered
 * to the sink's `span` undecoded: in a big log nearly every line is a spy line the sink
 * reads from its bytes, so nearly nothing is decoded. Everything else (lines the sink
 * refuses, a line split across chunks, a line longer in bytes than the limit in
 * characters) is decoded and goes through a LineSplitter, which keeps the numbering, the
 * limit and the state of the last line, so both paths give exactly the same lines.
 */
export class Utf8LineSplitter {
  private readonly text: LineSplitter;
  private readonly decoder = new StringDecoder('utf8');
  private readonly hasSpan: boolean;
  /** The last bytes decoded did not end a line: the next ones continue it. */
  private held = false;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineLength: number,
  ) {
    this.text = new LineSplitter(sink, maxLineLength);
    this.hasSpan = typeof sink.span === 'function' && typeof sink.spanning === 'function';
  }

  get lineNo(): number {
    return this.text.lineNo;
  }
  get endedOnLineEnd(): boolean {
    return this.text.endedOnLineEnd;
  }
  get endedOnBareCR(): boolean {
    return this.text.endedOnBareCR;
  }

  push(bytes: Buffer): void {
    const len = bytes.length;
    let start = 0;
    if (this.held) {
      // The decoder and the text splitter hold the start of a line: its end goes there too.
      const nl = bytes.indexOf(10);
      start = nl === -1 ? len : nl + 1;
      this.decode(bytes, 0, start);
    }
    if (!this.hasSpan || !this.sink.spanning!()) {
      this.decode(bytes, start, len);
      return;
    }
    const sink = this.sink;
    const max = this.maxLineLength;
    while (start < len) {
      // No more bytes than the limit: no more characters either.
      const lf = sink.span!(bytes, start, len, start + max, this.text.lineNo + 1);
      if (lf >= 0) {
        this.text.skip();
        start = lf + 1;
        continue;
      }
      const nl = bytes.indexOf(10, start);
      if (nl === -1) {
        this.decode(bytes, start, len);
        return;
      }
      this.decode(bytes, start, nl + 1);
      start = nl + 1;
    }
  }

  /**
   * Text that could not come as UTF-8 (ByteDecoder.writeUtf8: a lone surrogate). It goes
   * to the text splitter as is; the bytes pushed before it were whole characters, so the
   * decoder holds nothing that should come first.
   */
  pushText(text: string): void {
    if (text === '') return;
    this.held = text.charCodeAt(text.length - 1) !== 10;
    this.text.push(text);
  }

  end(): void {
    const rest = this.decoder.end();
    if (rest) this.text.push(rest);
    this.text.end();
  }

  private decode(bytes: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.held = bytes[to - 1] !== 10;
    const text = this.decoder.write(from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to));
    if (text) this.text.push(text);
  }
}

/**
 * A copy of a line that does not keep its chunk alive. V8 makes a slice of 13 or more
 * characters a view into the chunk (64 KB); a program line's text or call name kept in a
 * block's context, an event or an anomaly would then pin the whole chunk and get it
 * promoted to the old generation. Concatenating flattens into a fresh string; slicing
 * that drops the extra character.
 */
export function own(s: string): string {
  return s.length < 13 ? s : (s + ' ').slice(0, -1);
}
