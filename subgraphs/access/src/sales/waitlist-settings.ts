import { loadIntSettings } from '@eventgraph/runtime';

let settings: { ACCESS_WAITLIST_OFFER_TTL_SECONDS: number } | undefined;

/**
 * ACCESS_WAITLIST_OFFER_TTL_SECONDS: how long a waitlist offer (a hold of returned tickets) waits for its buyer before
 * it passes to the next in line (default 1800, 30 minutes; 10 s to 7 days): longer than a hold, as the buyer is not
 * at the shop when it comes. Read once, at the subgraph's start (the scheduler asks first).
 */
export function offerTtlMs(env: Record<string, string | undefined> = process.env): number {
  settings ??= loadIntSettings({ ACCESS_WAITLIST_OFFER_TTL_SECONDS: [1800, 10, 604_800] }, env);
  return settings.ACCESS_WAITLIST_OFFER_TTL_SECONDS * 1000;
}
