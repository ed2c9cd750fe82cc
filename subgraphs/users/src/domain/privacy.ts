import type { Role } from '@eventgraph/runtime';
import { normaliseEmail } from './email';

/**
 * Privacy rules of the users subgraph (issue 15): what deleting an account takes, and what its receipt says.
 *
 * Erased at once in users: the account (email, name, password hash, preferences), its sessions (refresh tokens,
 * known log-in clients), memberships, RSVPs, follows (by and of the user), pending sign-ups of its address,
 * notification preferences and history. Kept: invitations the user sent (the inviter is forgotten), webhook
 * deliveries and other organisation records, which never name the user. The receipt keeps only the account's id.
 */

/** Every subgraph that holds data about users and confirms its part of an erasure. */
export const ERASING_SUBGRAPHS = ['users', 'events', 'access', 'ingest'] as const;

/** Deleting an account is confirmed by typing its email address (any case, surrounding spaces ignored). */
export function confirmsDeletion(confirm: string, accountEmail: string): boolean {
  return normaliseEmail(confirm) === normaliseEmail(accountEmail) && normaliseEmail(accountEmail) !== null;
}

/**
 * The organisations an account is the last owner of: they must be handed over (transferOwnership) before the
 * account can go, or they would be left without anyone to run them.
 */
export function organisationsNeedingHandover(
  memberships: readonly { organizationId: string; role: Role }[],
  ownerCounts: ReadonlyMap<string, number>,
): string[] {
  return memberships
    .filter((m) => m.role === 'OWNER' && (ownerCounts.get(m.organizationId) ?? 0) <= 1)
    .map((m) => m.organizationId);
}

export interface ReceiptStatus {
  complete: boolean;
  /** subgraphs that have not confirmed yet, in ERASING_SUBGRAPHS order */
  pending: string[];
  /** when the last subgraph confirmed; null while any is pending */
  completedAt: Date | null;
}

export function receiptStatus(confirmations: readonly { subgraph: string; confirmedAt: Date }[]): ReceiptStatus {
  const confirmed = new Set(confirmations.map((c) => c.subgraph));
  const pending = ERASING_SUBGRAPHS.filter((s) => !confirmed.has(s));
  const completedAt = pending.length === 0 ? new Date(Math.max(...confirmations.map((c) => c.confirmedAt.getTime()))) : null;
  return { complete: pending.length === 0, pending, completedAt };
}
