/**
 * How far an import has got, for a caller watching a long upload (the streamed routes send it as NDJSON
 * lines): bytes of the body read, data rows read, and what the import is doing.
 */
export interface ImportProgressUpdate {
  bytes: number;
  rows: number;
  /** reading: the file streams in (and, on PGlite, is written batch by batch); checking and writing: set-based steps after the last row */
  stage: 'reading' | 'checking' | 'writing';
}

export type OnProgress = (progress: ImportProgressUpdate) => void;

/**
 * Counts bytes and rows as they pass; tells the listener at most once per `everyMs` while reading, at once on
 * a new stage, then again every `everyMs` while a set-based step runs (a long silence looks like a dead upload).
 */
export class ProgressMeter {
  bytes = 0;
  rows = 0;
  private stage: ImportProgressUpdate['stage'] = 'reading';
  private last: number;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly listener?: OnProgress,
    private readonly everyMs = 1000,
    /** the clock read while reading rows (a test passes its own, so a loaded machine cannot add a line) */
    private readonly now: () => number = Date.now,
  ) {
    this.last = now();
  }

  /** the body as it is read, its bytes counted */
  async *body(input: AsyncIterable<string | Uint8Array>): AsyncGenerator<string | Uint8Array> {
    for await (const chunk of input) {
      this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      yield chunk;
    }
  }

  /** the items of the file as they are parsed, counted as rows */
  async *items<T>(items: AsyncIterable<T>): AsyncGenerator<T> {
    for await (const item of items) {
      this.rows++;
      // a clock read per row costs little next to parsing it; every 256th keeps it negligible
      if (this.listener && (this.rows & 255) === 0 && this.now() - this.last >= this.everyMs) this.tell();
      yield item;
    }
  }

  enter(stage: ImportProgressUpdate['stage']): void {
    this.stage = stage;
    this.tell();
    if (this.listener && !this.heartbeat) this.heartbeat = setInterval(() => this.tell(), this.everyMs).unref();
  }

  /** the import has finished (or failed): no more lines */
  done(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private tell(): void {
    this.last = this.now();
    this.listener?.({ bytes: this.bytes, rows: this.rows, stage: this.stage });
  }
}
