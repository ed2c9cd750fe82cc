import { checkTransition, type Transitions } from '@eventgraph/runtime';

/**
 * Moderation of canonical events and what each change means for the public copy in `events`. Pure: the
 * staging code and the moderation API ask these rules, then write what they answer.
 */

export type ModerationState = 'PENDING' | 'APPROVED' | 'REJECTED' | 'FLAGGED';

/** Every state may be left for any other: a moderator can always reconsider. The same state is NO_CHANGE. */
export const MODERATION_TRANSITIONS: Transitions<ModerationState> = {
  PENDING: ['APPROVED', 'REJECTED', 'FLAGGED'],
  FLAGGED: ['APPROVED', 'REJECTED', 'PENDING'],
  APPROVED: ['REJECTED', 'FLAGGED', 'PENDING'],
  REJECTED: ['APPROVED', 'FLAGGED', 'PENDING'],
};

/** Why a moderation request is refused, in the order they are checked. */
export type ModerationRefusal =
  /** the event already has that state */
  | 'NO_CHANGE'
  /** not a move the state machine allows */
  | 'ILLEGAL_TRANSITION'
  /** rejecting or flagging says why, so the next moderator knows */
  | 'NOTE_REQUIRED'
  /** the record to split out is the only one of its canonical event */
  | 'LAST_RECORD'
  /** the record is not part of any canonical event (invalid, or never matched) */
  | 'NOT_IN_CANONICAL_EVENT'
  /** merging a canonical event into itself */
  | 'SAME_CANONICAL_EVENT';

export type ModerationCheck = { ok: true } | { ok: false; code: ModerationRefusal; message: string };

const NOTE_MAX = 2000;

export function checkModeration(from: ModerationState, to: ModerationState, note: string | null): ModerationCheck {
  const transition = checkTransition('canonical event', MODERATION_TRANSITIONS, from, to);
  if (!transition.ok) return transition;
  if ((to === 'REJECTED' || to === 'FLAGGED') && !note?.trim())
    return { ok: false, code: 'NOTE_REQUIRED', message: `a note saying why is required to mark it ${to}` };
  return { ok: true };
}

export const cleanNote = (note: string | null | undefined): string | null => note?.trim().slice(0, NOTE_MAX) || null;

export function checkSplit(record: { canonicalEventId: string | null }, membersOfItsEvent: number): ModerationCheck {
  if (!record.canonicalEventId)
    return { ok: false, code: 'NOT_IN_CANONICAL_EVENT', message: 'the record is not part of a canonical event' };
  if (membersOfItsEvent <= 1)
    return { ok: false, code: 'LAST_RECORD', message: 'the record is the only one of its canonical event: nothing to split' };
  return { ok: true };
}

export function checkMerge(keepId: string, mergeId: string): ModerationCheck {
  if (keepId === mergeId)
    return { ok: false, code: 'SAME_CANONICAL_EVENT', message: 'a canonical event cannot be merged into itself' };
  return { ok: true };
}

/** What the `events` subgraph is told after a change; null when nothing public changed. */
export type Publication = 'UPSERTED' | 'CANCELLED' | 'WITHDRAWN' | null;

export interface PublicationFacts {
  /** moderation before and after the change */
  wasApproved: boolean;
  isApproved: boolean;
  /** events has received a version of it (publishedVersion is set) */
  everPublished: boolean;
  wasCancelled: boolean;
  isCancelled: boolean;
  /** the public fields differ from what was last published */
  fieldsChanged: boolean;
}

/**
 * Only an approved event is public. Leaving approval after publication withdraws it; a cancellation of a public
 * event is announced once, and an event never published is not published just to be cancelled.
 */
export function publicationAfter(f: PublicationFacts): Publication {
  const wasPublic = f.everPublished && f.wasApproved;
  if (!f.isApproved) return wasPublic ? 'WITHDRAWN' : null;
  if (f.isCancelled) return wasPublic && !f.wasCancelled ? 'CANCELLED' : null;
  if (!wasPublic || f.wasCancelled || f.fieldsChanged) return 'UPSERTED';
  return null;
}
