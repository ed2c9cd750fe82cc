import type { Event } from './generated/prisma/client';

/** The bus topics of event changes (other subgraphs' projections, webhooks, caches and subscriptions hear them). */
export const EVENT_TOPICS = {
  created: 'event.created',
  updated: 'event.updated',
  statusChanged: 'event.status_changed',
  published: 'event.published',
  cancelled: 'event.cancelled',
  deleted: 'event.deleted',
} as const;

export type Announce = (topic: string, payload: Record<string, unknown>) => Promise<void>;

/**
 * What every event announcement carries: enough for other subgraphs' projections (who may see it, when,
 * where, what kind) without reading this subgraph's tables. A Layer-1 event has neither organisation nor owner.
 */
export const summaryOf = (event: Event, replaces?: string[]) => ({
  eventId: event.id,
  organizationId: event.organizationId,
  ownerUserId: event.ownerUserId,
  origin: event.origin,
  status: event.status,
  visibility: event.visibility,
  title: event.title,
  venueId: event.venueId,
  startsAt: event.startsAt.toISOString(),
  categories: event.categories,
  // what users' notification preferences match on (keywords, distance from home, price range)
  tags: event.tags,
  latitude: event.latitude,
  longitude: event.longitude,
  priceMin: event.priceMin,
  priceMax: event.priceMax,
  currency: event.currency,
  // a user event: the events it stands for in its owner's views (users' feed leaves them out)
  ...(event.ownerUserId ? { replaces: replaces ?? [] } : {}),
});
