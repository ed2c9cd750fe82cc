/** The statuses in which an event is out in the open (mirrors the events subgraph's lifecycle). */
export const PUBLIC_STATUSES = ['PUBLISHED', 'ON_SALE', 'PAUSED', 'CLOSED'];

/**
 * What ingest knows of an event, and who may read it: its organisation (or, for a user's own event, its owner)
 * always; anyone else once it is published and PUBLIC or UNLISTED (named by id). A FRIENDS or PRIVATE event is
 * its owner's: ingest does not know friendships and has no reason to attribute one to a source.
 */
export interface EventAudience {
  status: string;
  visibility: string;
}

export const isOpenToEveryone = (event: EventAudience): boolean =>
  PUBLIC_STATUSES.includes(event.status) && (event.visibility === 'PUBLIC' || event.visibility === 'UNLISTED');
