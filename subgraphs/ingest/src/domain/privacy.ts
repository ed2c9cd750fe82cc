/**
 * Privacy rules of the ingest subgraph (issue 15). About a user it holds only who moderated: the actor of
 * moderation decisions and of split/merge rules. When the account is deleted the decisions and rules stay
 * (later fetches must keep respecting them) but no longer name their actor: the actor becomes null, as for
 * the rules' own decisions, while the kind of actor ('user') is kept.
 */
export const ERASED_ACTOR = { actorId: null } as const;
