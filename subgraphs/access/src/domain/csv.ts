/**
 * A streaming CSV parser (RFC 4180): fields separated by commas, records by CRLF, LF or CR; fields may be
 * quoted, with "" for a quote inside, and quoted fields may span lines. A byte-order mark at the start is
 * skipped, blank lines are ignored. Input arrives in chunks of any size; records come out as soon as they
 * end, so memory holds one record at most — fields and records are capped, and a record that breaks the
 * rules is reported once and skipped up to the end of its line, after which parsing goes on.
 */

export type CsvItem = { line: number; fields: string[] } | { line: number; error: string };

export interface CsvLimits {
  maxFieldLength: number;
  maxFields: number;
}

const DEFAULT_LIMITS: CsvLimits = { maxFieldLength: 4096, maxFields: 64 };

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted' | 'skip';

export class CsvParser {
  private state: State = 'fieldStart';
  private fields: string[] = [];
  private field = '';
  /** the record has content (a blank line is no record) */
  private touched = false;
  private line = 1;
  private recordLine = 1;
  private sawCR = false;
  private started = false;

  constructor(private readonly limits: CsvLimits = DEFAULT_LIMITS) {}

  /** Feeds the next chunk of text; yields every record (or error) it completes. */
  *push(chunk: string): Generator<CsvItem> {
    let i = 0;
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    for (; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === '\n' && this.sawCR) {
        // the LF of a CRLF: the CR already ended the line
        this.sawCR = false;
        if (this.state === 'quoted') this.append(c);
        continue;
      }
      this.sawCR = c === '\r';
      const newline = c === '\n' || c === '\r';
      switch (this.state) {
        case 'skip':
          if (newline) {
            this.line++;
            this.reset();
          }
          break;
        case 'quoted':
          if (c === '"') this.state = 'quoteInQuoted';
          else if (newline) {
            this.line++;
            const error = this.append(c);
            if (error) yield error;
          } else {
            const end = plainRunEnd(chunk, i);
            const error = this.append(chunk.slice(i, end));
            if (error) yield error;
            i = end - 1;
          }
          break;
        case 'quoteInQuoted':
          if (c === '"') {
            this.state = 'quoted';
            const error = this.append(c);
            if (error) yield error;
          } else if (c === ',') {
            const error = this.endField();
            if (error) yield error;
          } else if (newline) yield* this.endRecord();
          else yield this.fail(`unexpected ${JSON.stringify(c)} after a closing quote`);
          break;
        case 'fieldStart':
        case 'unquoted':
          if (c === ',') {
            this.touched = true;
            const error = this.endField();
            if (error) yield error;
          } else if (newline) yield* this.endRecord();
          else if (c === '"') {
            if (this.state === 'unquoted') yield this.fail('a quote inside an unquoted field (quote the whole field)');
            else {
              this.touched = true;
              this.state = 'quoted';
            }
          } else {
            this.touched = true;
            this.state = 'unquoted';
            // the characters up to the next comma, quote or line break are taken at once: most of a file is these
            const end = plainRunEnd(chunk, i);
            const error = this.append(chunk.slice(i, end));
            if (error) yield error;
            i = end - 1;
          }
          break;
      }
    }
  }

  /** Ends the input: the last record (without a final newline) comes out, or the error of an open quote. */
  *end(): Generator<CsvItem> {
    if (this.state === 'quoted') yield this.fail('a quoted field is not closed');
    else if (this.state !== 'skip' && this.touched) {
      this.fields.push(this.field);
      yield { line: this.recordLine, fields: this.fields };
    }
    this.reset();
  }

  private append(text: string): CsvItem | undefined {
    if (this.field.length + text.length > this.limits.maxFieldLength)
      return this.fail(`a field is longer than ${this.limits.maxFieldLength} characters`);
    this.field += text;
    return undefined;
  }

  private endField(): CsvItem | undefined {
    if (this.fields.length + 1 >= this.limits.maxFields) return this.fail(`more than ${this.limits.maxFields} fields`);
    this.fields.push(this.field);
    this.field = '';
    this.state = 'fieldStart';
    return undefined;
  }

  private *endRecord(): Generator<CsvItem> {
    const line = this.recordLine;
    const fields = this.fields;
    fields.push(this.field);
    const touched = this.touched;
    this.line++;
    this.reset();
    if (touched) yield { line, fields };
  }

  private fail(error: string): CsvItem {
    const item = { line: this.recordLine, error };
    this.state = 'skip';
    this.fields = [];
    this.field = '';
    return item;
  }

  private reset() {
    this.state = 'fieldStart';
    this.fields = [];
    this.field = '';
    this.touched = false;
    this.recordLine = this.line;
  }
}

/** Where the run of characters from `start` that are no comma, quote or line break ends. */
function plainRunEnd(chunk: string, start: number): number {
  let end = start + 1;
  for (; end < chunk.length; end++) {
    const code = chunk.charCodeAt(end);
    if (code === 44 || code === 34 || code === 10 || code === 13) break; // , " \n \r
  }
  return end;
}

/** Parses text chunks (strings or UTF-8 bytes, split anywhere) into CSV records. */
export async function* parseCsv(input: AsyncIterable<string | Uint8Array>, limits?: CsvLimits): AsyncGenerator<CsvItem> {
  const parser = new CsvParser(limits);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of input)
    yield* parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  yield* parser.push(decoder.decode());
  yield* parser.end();
}
