import { get, type IncomingMessage } from 'node:http';

/** One message of a text/event-stream as a client reads it (a comment line is a message of its own here). */
export interface StreamMessage {
  event?: string;
  id?: string;
  retry?: number;
  data?: string;
  comment?: string;
}

/**
 * Reads a gateway event stream the way `curl -N` would: a plain GET, the messages parsed as they come.
 * Refusals (any status but 200) are read whole as JSON.
 */
export async function openEventStream(url: string, headers: Record<string, string> = {}) {
  const response = await new Promise<IncomingMessage>((resolve, reject) =>
    get(url, { headers: { accept: 'text/event-stream', ...headers } }, resolve).on('error', reject),
  );
  const messages: StreamMessage[] = [];
  const waiters: Array<() => void> = [];
  let ended = false;
  let body = '';
  let pending = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    if (response.statusCode !== 200) return void (body += chunk);
    pending += chunk;
    let end: number;
    while ((end = pending.indexOf('\n\n')) >= 0) {
      messages.push(parseMessage(pending.slice(0, end)));
      pending = pending.slice(end + 2);
    }
    waiters.splice(0).forEach((wake) => wake());
  });
  const closed = new Promise<void>((resolve) =>
    response.on('close', () => {
      ended = true;
      waiters.splice(0).forEach((wake) => wake());
      resolve();
    }),
  );
  if (response.statusCode !== 200) await closed;

  return {
    status: response.statusCode!,
    headers: response.headers,
    /** the JSON body of a refusal */
    get json(): { errors: Array<{ message: string; extensions?: Record<string, unknown> }> } {
      return JSON.parse(body);
    },
    messages,
    get ended() {
      return ended;
    },
    closed,
    /** `next` messages' data, parsed */
    nexts: (): Array<{ id: string; data: Record<string, any>; errors?: unknown[] }> =>
      messages.filter((m) => m.event === 'next').map((m) => ({ id: m.id!, ...JSON.parse(m.data!) })),
    /** waits until a message matching `matches` came (at most `timeoutMs`) and returns it */
    async until(matches: (message: StreamMessage) => boolean, timeoutMs = 10_000): Promise<StreamMessage> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(matches);
        if (found) return found;
        if (ended) throw new Error(`the stream ended; it had ${JSON.stringify(messages)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no such message within ${timeoutMs} ms; had ${JSON.stringify(messages)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    /** the client leaves */
    close() {
      response.destroy();
      return closed;
    },
  };
}

export type EventStreamClient = Awaited<ReturnType<typeof openEventStream>>;

function parseMessage(block: string): StreamMessage {
  const message: StreamMessage = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) message.comment = line.slice(1).trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') message.data = message.data === undefined ? value : `${message.data}\n${value}`;
    else if (field === 'retry') message.retry = Number(value);
    else if (field === 'event' || field === 'id') message[field] = value;
  }
  return message;
}
