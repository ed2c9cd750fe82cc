// The gate's check-ins as they happen (checkInRecorded for this gate), kept open across outages.
import { GateCheckInsDocument, isEventgraphError, type EventgraphClient, type EventgraphError } from '@eventgraph/sdk';
import { explain, isCredentialRefused } from './failures';
import { feedLine } from './output';

export interface GateFeedOptions {
  client: EventgraphClient;
  gateId: string;
  deviceId: string;
  print(line: string): void;
  /** the credential was refused: the feed has ended, and so should the scanner */
  onCredentialRefused(err: EventgraphError): void;
  /** longest pause between attempts to subscribe again (default 10 s) */
  maxRetryDelayMs?: number;
}

/**
 * Subscribes to the gate's check-ins and prints every scan made there by other scanners (this one's
 * own answers are printed as it scans). The SDK's socket reconnects and resubscribes by itself; when
 * it gives up, the feed subscribes again here after a pause with jitter, so an outage of any length
 * ends with the feed live again. Returns a function that ends it.
 */
export function followGate(options: GateFeedOptions): () => Promise<void> {
  const { client, gateId, deviceId, print } = options;
  const maxDelay = options.maxRetryDelayMs ?? 10_000;
  let stopped = false;
  let current: { return(): unknown } | undefined;
  let wake: () => void = () => {};

  const run = async () => {
    for (let attempt = 0; !stopped; attempt++) {
      const feed = client.subscribe(GateCheckInsDocument, { gateId });
      current = feed;
      try {
        for await (const { checkInRecorded: c } of feed) {
          attempt = 0;
          if (c.scannerKind !== 'device' || c.scannerId !== deviceId) print(feedLine(c, deviceId));
        }
        if (stopped) return;
      } catch (err) {
        if (stopped) return;
        if (isCredentialRefused(err)) return options.onCredentialRefused(err);
        if (isEventgraphError(err) && ['FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT'].includes(err.code))
          return print(`gate feed refused: ${explain(err)}; scanning goes on without it`);
        if (attempt === 0) print(`gate feed lost: ${explain(err)}; reconnecting`);
      }
      // exponential back-off with full jitter, so a gate of scanners does not reconnect in step
      const delay = Math.random() * Math.min(maxDelay, 250 * 2 ** attempt);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  const running = run().catch((err: unknown) => print(`gate feed failed: ${explain(err)}`));

  return async () => {
    stopped = true;
    wake();
    await current?.return();
    await running;
  };
}
