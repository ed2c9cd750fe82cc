import { recordEvent, type SqlExecutor } from './bus';
import { DomainError, ErrorCode } from './errors';
import { requireAuthenticated } from './authorization';
import type { Principal } from './principal';
import type { ConsumerServices, TransactionalClient } from './subgraph';

/**
 * Account erasure across subgraphs (issue 15). The users subgraph deletes the account and announces
 * `user.deleted` through its outbox; every other subgraph erases or anonymises what it holds about that user
 * in one transaction and acknowledges in the same transaction (`user.erasure_completed`), which users records
 * on the erasure receipt. Delivery is at least once, so an erasure runs again harmlessly: it only deletes or
 * blanks rows of that user, and the acknowledgement is recorded once per subgraph.
 */
export const USER_DELETED_TOPIC = 'user.deleted';
export const USER_ERASURE_COMPLETED_TOPIC = 'user.erasure_completed';

export interface UserDeletion {
  userId: string;
  receiptId: string;
  /** the account's address, so rows that name the person by email only (imported tickets) can be found */
  email: string | null;
}

/** What a subgraph erased or anonymised, by kind of record: counts only, never the data. */
export type ErasureCounts = Record<string, number>;

export function parseUserDeletion(payload: Record<string, unknown>): UserDeletion | null {
  const { userId, receiptId, email } = payload;
  if (typeof userId !== 'string' || typeof receiptId !== 'string') return null;
  return { userId, receiptId, email: typeof email === 'string' ? email : null };
}

/**
 * Consumes `user.deleted` durably for `subgraph`: `erase` runs in one transaction with the acknowledgement,
 * so a crash between them redoes both.
 */
export function consumeUserDeletions<Db extends TransactionalClient<Tx>, Tx>(
  subgraph: string,
  erase: (tx: Tx, deletion: UserDeletion) => Promise<ErasureCounts>,
) {
  return ({ db, bus, group }: ConsumerServices<Db>) =>
    bus.consume!(group('user-erasure'), USER_DELETED_TOPIC, async (event) => {
      const deletion = parseUserDeletion(event.payload);
      if (!deletion) return;
      await db.$transaction(
        async (tx) => {
          const erased = await erase(tx, deletion);
          await recordEvent(tx as unknown as SqlExecutor, subgraph, USER_ERASURE_COMPLETED_TOPIC, {
            userId: deletion.userId,
            receiptId: deletion.receiptId,
            subgraph,
            erased,
          });
        },
        { timeout: 60_000 },
      );
    });
}

/**
 * "Export my data": the users subgraph answers `exportMyData` with a `PersonalDataExport` entity keyed by the
 * user's id, and every subgraph contributes its part as a field of that entity (named after the subgraph), so
 * the gateway's query plan gathers the whole document in one request. Each part is readable by that user only.
 */
export function requireDataSubject(principal: Principal, userId: string): void {
  requireAuthenticated(principal);
  if (principal.kind !== 'user' || principal.id !== userId)
    throw new DomainError(ErrorCode.FORBIDDEN, 'only the person themself may export their data');
}

/** A row as plain JSON: BigInt ids become strings (dates serialise as ISO strings on their own). */
export function plainRecord<T extends Record<string, unknown>>(row: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
}
