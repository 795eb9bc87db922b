// The core pipeline: bytes → UTF-8 → lines → events → tracked blocks → report (alloc and
// free lines go from their bytes straight to the tracker, without a string or an event).
// Options are compiled once into a context; the per-line path only reads it. No I/O
// here: adapters (analyzeBuffer, analyzeStream) feed it bytes.
import { ByteDecoder } from './read/decode.js';
import { Utf8LineSplitter } from './read/lines.js';
import type { MarkerOptions } from './parse/options.js';
import type { Report } from './report/schema.js';
import { LogDemux } from './capture/demux.js';
import type { Dialect } from './dialect/dialect.js';
import { builtinDialects } from './dialect/registry.js';

export interface AnalyzeOptions {
  /** Shown as the report's `source` (a path, or `-` for stdin). */
  source?: string;
  markers?: Partial<MarkerOptions>;
  /** Read the log in this dialect; by default the built-ins are tried (MallocSpyTest first). */
  dialect?: Dialect;
  /** Count never-freed blocks of an incomplete log as true leaks. */
  assumeComplete?: boolean;
  /** Longer lines are cut to this many characters and reported as anomalies. */
  maxLineLength?: number;
  /** Anomalies listed per kind; all are counted. */
  anomaliesPerKind?: number;
  /** Frees held while their phase is undecided before they are only counted. */
  windowLimit?: number;
  /** Blocks of one size piled up then freed together (or never) that make a finding. */
  episodeThreshold?: number;
}

export const DEFAULTS = {
  maxLineLength: 64 * 1024,
  anomaliesPerKind: 100,
  windowLimit: 100_000,
  contextLength: 80,
  episodeThreshold: 100,
};

const SLICE = 64 * 1024;

export interface Analyzer {
  write(chunk: Uint8Array): void;
  end(): Report;
}

export function createAnalyzer(options: AnalyzeOptions = {}): Analyzer {
  const windowLimit = options.windowLimit ?? DEFAULTS.windowLimit;
  const episodeThreshold = options.episodeThreshold ?? DEFAULTS.episodeThreshold;
  // Routes each line to the tracker of its process and run (capture/demux.ts).
  const demux = new LogDemux({
    dialects: options.dialect ? [options.dialect] : builtinDialects(options.markers),
    named: options.dialect !== undefined,
    tracker: {
      anomaliesPerKind: options.anomaliesPerKind ?? DEFAULTS.anomaliesPerKind,
      windowLimit,
      contextLength: DEFAULTS.contextLength,
      episodeThreshold,
    },
  });
  const decoder = new ByteDecoder();
  const lines = new Utf8LineSplitter(demux, options.maxLineLength ?? DEFAULTS.maxLineLength);
  let ended = false;
  const feed = (out: Buffer | string): void => {
    if (typeof out === 'string') lines.pushText(out);
    else if (out.length > 0) lines.push(out);
  };

  return {
    write(chunk) {
      if (ended) throw new Error('write after end');
      // In slices: text decoded on the slow paths (a whole slice at a time for a capture
      // or UTF-16) then stays small enough to die young (bench/README.md).
      for (let i = 0; i < chunk.length; i += SLICE) {
        feed(decoder.writeUtf8(i === 0 && chunk.length <= SLICE ? chunk : chunk.subarray(i, i + SLICE)));
      }
    },
    end() {
      ended = true;
      feed(decoder.endUtf8());
      lines.end();
      return demux.finish(
        {
          source: options.source ?? '-',
          bytes: decoder.bytes,
          encoding: decoder.encoding ?? 'utf8',
          lines: lines.lineNo,
          endedOnLineEnd: lines.endedOnLineEnd,
          endedOnBareCR: lines.endedOnBareCR,
        },
        { assumeComplete: options.assumeComplete ?? false, windowLimit, episodeThreshold },
      );
    },
  };
}

/** Sync adapter, for tests and small inputs already in memory. */
export function analyzeBuffer(input: Uint8Array | string, options: AnalyzeOptions = {}): Report {
  const analyzer = createAnalyzer(options);
  analyzer.write(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  return analyzer.end();
}

/** Stream adapter: consumes 'data' events (never `for await` per chunk on the hot path). */
export function analyzeStream(
  stream: NodeJS.ReadableStream,
  options: AnalyzeOptions = {},
  onChunk?: (bytes: number) => void,
): Promise<Report> {
  return new Promise((resolve, reject) => {
    const analyzer = createAnalyzer(options);
    stream.on('data', (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      analyzer.write(bytes);
      onChunk?.(bytes.length);
    });
    stream.once('error', reject);
    stream.once('end', () => {
      try {
        resolve(analyzer.end());
      } catch (err) {
        reject(err);
      }
    });
  });
}
