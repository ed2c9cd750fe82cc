import { eventStreamMessages, type EventStreamState } from '../src/sse/event-stream-parser';

/** The messages of `chunks` as the parser reads them, with the state it ends in. */
async function parse(chunks: string[]) {
  const state: EventStreamState = { lastEventId: '' };
  async function* source() {
    for (const chunk of chunks) yield chunk;
  }
  const messages = [];
  for await (const message of eventStreamMessages(source(), state)) messages.push(message);
  return { messages, state };
}

/** every way of cutting `text` in two: a parser must not care where chunks end */
const splits = (text: string) => Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);

describe('event-stream parser (WHATWG)', () => {
  it('joins multi-line data with newlines and names the event; the default event is `message`', async () => {
    const { messages } = await parse(['event: next\ndata: {"a":\ndata: 1}\n\ndata: plain\n\n']);
    expect(messages).toEqual([
      { event: 'next', data: '{"a":\n1}', lastEventId: '' },
      { event: 'message', data: 'plain', lastEventId: '' },
    ]);
  });

  it('reads the same messages wherever the chunks split them, with LF, CRLF or CR line ends', async () => {
    for (const end of ['\n', '\r\n', '\r']) {
      const text = ['id: s.1', 'event: next', 'data: x', '', ': keep-alive', '', 'data: y', 'data: z', '', ''].join(end);
      for (const chunks of splits(text)) {
        const { messages, state } = await parse(chunks);
        expect(messages.map((m) => [m.event, m.data, m.lastEventId])).toEqual([
          ['next', 'x', 's.1'],
          ['message', 'y\nz', 's.1'],
        ]);
        expect(state.lastEventId).toBe('s.1');
      }
    }
  });

  it('ignores comments, a BOM, unknown fields and a space only right after the colon', async () => {
    const { messages } = await parse(['\uFEFF: hello\nfoo: bar\ndata:  two spaces\ndata\n\n']);
    expect(messages).toEqual([{ event: 'message', data: ' two spaces\n', lastEventId: '' }]);
  });

  it('takes `id` and `retry` from messages without data, dispatching nothing; ignores a bad retry and an id with NULL', async () => {
    const { messages, state } = await parse([
      'retry: 2000\nid: s.0\n\n',
      'retry: soon\nid: bad\0id\n\n',
      'event: next\ndata: 1\n\n',
    ]);
    expect(messages).toEqual([{ event: 'next', data: '1', lastEventId: 's.0' }]);
    expect(state).toEqual({ lastEventId: 's.0', retryMs: 2000 });
  });

  it('discards a message the stream cut off before its empty line, and its id: a reconnect asks for it again', async () => {
    const { messages, state } = await parse(['id: s.1\nevent: next\ndata: 1\n\nid: s.2\nevent: next\ndata: 2\n']);
    expect(messages.map((m) => m.data)).toEqual(['1']);
    expect(state.lastEventId).toBe('s.1');
  });
});
