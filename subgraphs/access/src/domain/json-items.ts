/**
 * Splits a stream of JSON into its items without holding more than one: either one array of objects
 * (`[{…}, {…}]`) or newline-delimited objects (NDJSON, `{…}\n{…}`). Each item's text is capped and parsed
 * on its own, so a broken item is reported (with the line it starts on) and the next one is read.
 */

export type JsonItem = { line: number; value: unknown } | { line: number; error: string };

const MAX_ITEM_LENGTH = 64 * 1024;

export class JsonItemSplitter {
  private mode: 'start' | 'array' | 'lines' | 'done' = 'start';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private item = '';
  private itemLine = 0;
  private line = 1;
  private overflow = false;

  *push(chunk: string): Generator<JsonItem> {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === '\n') this.line++;
      if (this.depth > 0) {
        yield* this.inItem(c);
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\ufeff') continue;
      if (this.mode === 'start') {
        this.mode = c === '[' ? 'array' : 'lines';
        if (c === '[') continue;
      }
      if (this.mode === 'done') {
        yield { line: this.line, error: 'unexpected text after the closing ]' };
        this.mode = 'lines'; // report once, then read on
        continue;
      }
      if (this.mode === 'array' && (c === ',' || c === ']')) {
        if (c === ']') this.mode = 'done';
        continue;
      }
      if (c === '{') {
        this.depth = 1;
        this.item = c;
        this.itemLine = this.line;
        this.overflow = false;
      } else yield { line: this.line, error: `expected an object, found ${JSON.stringify(c)}` };
    }
  }

  *end(): Generator<JsonItem> {
    if (this.depth > 0) yield { line: this.itemLine, error: 'the last item is not closed' };
    else if (this.mode === 'array') yield { line: this.line, error: 'the array is not closed with ]' };
  }

  private *inItem(c: string): Generator<JsonItem> {
    if (!this.overflow) {
      if (this.item.length >= MAX_ITEM_LENGTH) {
        this.overflow = true;
        this.item = '';
      } else this.item += c;
    }
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === '\\') this.escaped = true;
      else if (c === '"') this.inString = false;
      return;
    }
    if (c === '"') this.inString = true;
    else if (c === '{' || c === '[') this.depth++;
    else if (c === '}' || c === ']') this.depth--;
    if (this.depth > 0) return;
    const text = this.item;
    this.item = '';
    if (this.overflow) return yield { line: this.itemLine, error: `an item is longer than ${MAX_ITEM_LENGTH} characters` };
    try {
      yield { line: this.itemLine, value: JSON.parse(text) };
    } catch (err) {
      yield { line: this.itemLine, error: `not valid JSON: ${(err as Error).message}` };
    }
  }
}

export async function* parseJsonItems(input: AsyncIterable<string | Uint8Array>): AsyncGenerator<JsonItem> {
  const splitter = new JsonItemSplitter();
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of input)
    yield* splitter.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  yield* splitter.push(decoder.decode());
  yield* splitter.end();
}
