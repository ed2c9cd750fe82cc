import { loadIntSettings } from '@eventgraph/runtime';

let settings: { ACCESS_HOLD_TTL_SECONDS: number } | undefined;

/**
 * ACCESS_HOLD_TTL_SECONDS: how long a hold keeps its tickets before they go back on sale (default 600, 10 minutes;
 * 10 s to 1 day). Read once, at the subgraph's start (the scheduler asks first), so a bad value stops the start.
 */
export function holdTtlMs(env: Record<string, string | undefined> = process.env): number {
  settings ??= loadIntSettings({ ACCESS_HOLD_TTL_SECONDS: [600, 10, 86_400] }, env);
  return settings.ACCESS_HOLD_TTL_SECONDS * 1000;
}
