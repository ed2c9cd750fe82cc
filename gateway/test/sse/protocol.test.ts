import { COMPLETE, comment, eventId, formatMessage, parseEventId } from '../../src/sse/protocol';

describe('the event-stream format', () => {
  it('writes fields in order, a data line per line, and a blank line after', () => {
    expect(formatMessage({ retry: 2000, id: 'a.1', event: 'next', data: '{"x":1}\n{"y":2}' })).toBe(
      'retry: 2000\nid: a.1\nevent: next\ndata: {"x":1}\ndata: {"y":2}\n\n',
    );
    expect(formatMessage({ id: 'a.0' })).toBe('id: a.0\n\n');
    expect(COMPLETE).toBe('event: complete\ndata: \n\n');
    expect(comment('keep-alive')).toBe(': keep-alive\n\n');
  });

  it('reads back only ids of its own form', () => {
    expect(parseEventId(eventId('Zq3-_x', 42))).toEqual({ stream: 'Zq3-_x', sequence: 42 });
    for (const bad of [undefined, '', '42', 'a.', '.3', 'a.b', 'a.1.2', 'a b.1', `${'x'.repeat(65)}.1`, 'a.1234567890123456'])
      expect(parseEventId(bad)).toBeUndefined();
  });
});
