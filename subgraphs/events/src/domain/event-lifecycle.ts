import { checkTransition, type Transitions } from '@eventgraph/runtime';

export type EventStatus = 'DRAFT' | 'PUBLISHED' | 'ON_SALE' | 'PAUSED' | 'CLOSED' | 'CANCELLED' | 'ARCHIVED';

/**
 * draft → published → on_sale ⇄ paused → closed; cancelled from any public status (it will not happen, and the
 * public is told: it stays listed and calendars show it cancelled); archived (soft delete, hidden) from anywhere.
 */
export const EVENT_TRANSITIONS: Transitions<EventStatus> = {
  DRAFT: ['PUBLISHED', 'ARCHIVED'],
  PUBLISHED: ['ON_SALE', 'CLOSED', 'CANCELLED', 'ARCHIVED'],
  ON_SALE: ['PAUSED', 'CLOSED', 'CANCELLED', 'ARCHIVED'],
  PAUSED: ['ON_SALE', 'CLOSED', 'CANCELLED', 'ARCHIVED'],
  CLOSED: ['CANCELLED', 'ARCHIVED'],
  CANCELLED: ['ARCHIVED'],
  ARCHIVED: [],
};

export const checkEventTransition = (from: EventStatus, to: EventStatus) => checkTransition('event', EVENT_TRANSITIONS, from, to);

/** Statuses the public may see; drafts and archived events stay with their organisation. */
export const PUBLIC_STATUSES: readonly EventStatus[] = ['PUBLISHED', 'ON_SALE', 'PAUSED', 'CLOSED', 'CANCELLED'];

/** Public statuses of an event that still takes place (trending leaves cancelled events out). */
export const HAPPENING_STATUSES: readonly EventStatus[] = ['PUBLISHED', 'ON_SALE', 'PAUSED', 'CLOSED'];

/**
 * Moving an event the public has seen to `to` tells calendars and partners it will not happen (event.cancelled):
 * cancelling it, or archiving it straight from a public status (once cancelled, archiving says nothing new).
 */
export const announcesCancellation = (from: EventStatus, to: EventStatus): boolean =>
  (to === 'CANCELLED' || to === 'ARCHIVED') && HAPPENING_STATUSES.includes(from);
