import { createEventgraphClient, type EventgraphClient } from '@eventgraph/sdk';

/** What the site's server hands the page (server/site-server.ts: PartnerSiteConfig). */
export interface SiteConfig {
  gatewayUrl: string;
  wsUrl?: string;
  apiKey: string;
  trustedDocuments?: boolean;
}

export class SiteConfigError extends Error {
  override readonly name = 'SiteConfigError';
}

export async function loadSiteConfig(): Promise<SiteConfig> {
  let config: Partial<SiteConfig>;
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    config = (await response.json()) as Partial<SiteConfig>;
  } catch (err) {
    throw new SiteConfigError(`the site's configuration could not be loaded (${(err as Error).message})`);
  }
  if (!config.gatewayUrl || !config.apiKey) throw new SiteConfigError("the site's configuration names no gateway or key");
  return config as SiteConfig;
}

/**
 * One SDK client for the page: the partner's publishable key, HTTP for reads, graphql-ws for live updates.
 * A short RATE_LIMITED wait is retried unseen; a longer one is the visitor's to know about (errors.ts).
 */
export function siteClient(config: SiteConfig): EventgraphClient {
  return createEventgraphClient({
    url: config.gatewayUrl,
    ...(config.wsUrl ? { wsUrl: config.wsUrl } : {}),
    credential: config.apiKey,
    // in trusted-documents mode the key may run the site's registered operations only: send their hashes, never text
    persistedDocuments: config.trustedDocuments ? 'hash-only' : false,
    timeoutMs: 15_000,
    rateLimitRetry: { maxRetries: 2, maxWaitMs: 5_000 },
    // a page stays open for hours: keep resuming live updates, backing off to a minute between attempts
    reconnect: { attempts: 1_000, maxDelayMs: 60_000 },
  });
}

/** The platform's iCalendar feed of one event (gateway/src/calendar-routes.ts): what "add to calendar" downloads. */
export const calendarUrl = (config: SiteConfig, eventId: string) =>
  new URL(`/calendar/events/${encodeURIComponent(eventId)}.ics`, config.gatewayUrl).href;
