import { checkTransition, type Transitions } from '@eventgraph/runtime';

export type EventStatus = 'DRAFT' | 'PUBLISHED' | 'ON_SALE' | 'PAUSED' | 'CLOSED' | 'ARCHIVED';

/** draft → published → on_sale ⇄ paused → closed; archived (soft delete) from anywhere. */
export const EVENT_TRANSITIONS: Transitions<EventStatus> = {
  DRAFT: ['PUBLISHED', 'ARCHIVED'],
  PUBLISHED: ['ON_SALE', 'CLOSED', 'ARCHIVED'],
  ON_SALE: ['PAUSED', 'CLOSED', 'ARCHIVED'],
  PAUSED: ['ON_SALE', 'CLOSED', 'ARCHIVED'],
  CLOSED: ['ARCHIVED'],
  ARCHIVED: [],
};

export const checkEventTransition = (from: EventStatus, to: EventStatus) => checkTransition('event', EVENT_TRANSITIONS, from, to);

/** Statuses the public may see; drafts and archived events stay with their organisation. */
export const PUBLIC_STATUSES: readonly EventStatus[] = ['PUBLISHED', 'ON_SALE', 'PAUSED', 'CLOSED'];
