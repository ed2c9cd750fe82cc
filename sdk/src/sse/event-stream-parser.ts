/**
 * The text/event-stream format as WHATWG HTML ("Server-sent events", 9.2.6 Interpreting an event stream)
 * defines it, read from text chunks that may split lines and messages anywhere: lines end with CRLF, LF or CR;
 * a leading BOM is dropped; `:` starts a comment; `data:` lines join with "\n"; an empty line dispatches the
 * message, unless no data came (then only `id`/`retry` take effect); an `id` holding NULL is ignored; `retry`
 * counts only as ASCII digits. A message cut off by the end of the stream is discarded with its id, as the spec says.
 * No Node or DOM API: it runs in browsers, Node, Deno and React Native alike.
 */
export interface EventStreamMessage {
  /** the `event:` field; `message` when none was given */
  event: string;
  data: string;
  /** the last event id as of this message (EventSource's `lastEventId`): `id:` persists until the next one */
  lastEventId: string;
}

export interface EventStreamState {
  /** the id as of the last complete message, with or without data (what a reconnect sends as Last-Event-ID) */
  lastEventId: string;
  /** the last valid `retry:` (ms), if any */
  retryMs?: number;
}

/** Messages of an event stream, as they complete; `state` is updated as fields arrive (ids of data-less messages too). */
export async function* eventStreamMessages(
  chunks: AsyncIterable<string>,
  state: EventStreamState = { lastEventId: '' },
): AsyncGenerator<EventStreamMessage> {
  let pending = '';
  let first = true;
  /** a chunk ended with CR: an LF starting the next chunk belongs to it */
  let skipLeadingLf = false;
  let data: string[] = [];
  let event = '';
  /** WHATWG's "last event ID buffer": persists across messages, committed at each message's end */
  let idBuffer = state.lastEventId;
  for await (let chunk of chunks) {
    if (first && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    if (skipLeadingLf && chunk.startsWith('\n')) chunk = chunk.slice(1);
    skipLeadingLf = false;
    pending += chunk;
    let start = 0;
    for (let at = nextLineEnd(pending, start); at !== -1; at = nextLineEnd(pending, start)) {
      const line = pending.slice(start, at);
      if (pending[at] === '\r' && pending[at + 1] === '\n') start = at + 2;
      else if (pending[at] === '\r' && at + 1 === pending.length) {
        start = at + 1;
        skipLeadingLf = true;
      } else start = at + 1;
      if (line === '') {
        // the id is committed here, so a message cut off before its empty line is asked for again on reconnect
        state.lastEventId = idBuffer;
        if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), lastEventId: state.lastEventId };
        data = [];
        event = '';
        continue;
      }
      if (line.startsWith(':')) continue; // a comment: keep-alives
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id' && !value.includes('\0')) idBuffer = value;
      else if (field === 'retry' && /^\d+$/.test(value)) state.retryMs = Number(value);
    }
    pending = pending.slice(start);
  }
}

function nextLineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}
