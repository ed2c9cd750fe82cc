import type { Principal } from '@eventgraph/runtime';

/** Who took a moderation decision, as ModerationDecision and MatchRule keep it. */
export interface Actor {
  /** a user's id; null for a service or a rule (the column holds ids only) */
  actorId: string | null;
  /** RULE, USER, SERVICE, … */
  actorKind: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const actorOf = (principal: Principal): Actor => ({
  actorId: principal.id && UUID.test(principal.id) ? principal.id : null,
  actorKind: principal.kind.toUpperCase(),
});
