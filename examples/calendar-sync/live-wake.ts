// Wakes the sync at once when one of the organisation's events changes (eventChanged through the SDK), so a
// change reaches the file within a second instead of at the next poll. Only a wake-up: the feed stays the
// truth, and polling goes on whether the socket is up or not.
import WebSocket from 'ws';
import { createEventgraphClient, EventChangedDocument, isEventgraphError, type EventgraphClient } from '@eventgraph/sdk';

export interface LiveWakeOptions {
  graphqlUrl: string;
  /** who subscribes: changes of events this caller may not see do not arrive (the feed's own rules differ little) */
  credential?: string;
  organizationId: string;
  onChange(): void;
  print(line: string): void;
  /** longest pause between attempts to subscribe again (default 30 s) */
  maxRetryDelayMs?: number;
}

/** Refusals that waiting will not change: live wake-ups end, polling carries on. */
const REFUSED = ['FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'UNAUTHENTICATED'];

/** Starts following; returns the function that stops it. */
export function wakeOnChanges(options: LiveWakeOptions): () => Promise<void> {
  const { organizationId, print } = options;
  const maxDelay = options.maxRetryDelayMs ?? 30_000;
  const client: EventgraphClient = createEventgraphClient({
    url: options.graphqlUrl,
    credential: options.credential,
    webSocketImpl: WebSocket,
    reconnect: { attempts: 3, maxDelayMs: 5000 },
  });
  let stopped = false;
  let live = false;
  let current: { return(): unknown } | undefined;
  let wake = () => {};
  const off = client.onConnection((event) => {
    if (event.type === 'connected' && !live) {
      live = true;
      print(`live: following changes of organisation ${organizationId}`);
    }
    if (event.type === 'closed' && event.error && live && !stopped) {
      live = false;
      print(`live: lost (${event.error.message}); polling goes on`);
    }
  });

  const run = async () => {
    for (let attempt = 0; !stopped; attempt++) {
      const changes = client.subscribe(EventChangedDocument, { organizationId });
      current = changes;
      try {
        for await (const _change of changes) {
          attempt = 0;
          options.onChange();
        }
      } catch (err) {
        if (stopped) return;
        if (isEventgraphError(err) && REFUSED.includes(err.code))
          return print(`live: refused (${err.message} [${err.code}]); polling only`);
      }
      // the SDK gave up reconnecting: try again later, with full jitter
      const delay = Math.random() * Math.min(maxDelay, 1000 * 2 ** attempt);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  const running = run();

  return async () => {
    stopped = true;
    off();
    wake();
    await current?.return();
    await running;
    await client.close();
  };
}
