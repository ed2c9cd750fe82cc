import { consumeUserDeletions, type ErasureCounts, type UserDeletion } from '@eventgraph/runtime';
import type { IngestDb, IngestTx } from '../context';
import { ERASED_ACTOR } from '../domain/privacy';

/** Anonymises what ingest holds about a deleted user (see domain/privacy.ts), in the consumer's transaction. */
export async function eraseUser(tx: IngestTx, { userId }: UserDeletion): Promise<ErasureCounts> {
  return {
    moderationDecisions: (await tx.moderationDecision.updateMany({ where: { actorId: userId }, data: ERASED_ACTOR })).count,
    matchRules: (await tx.matchRule.updateMany({ where: { actorId: userId }, data: ERASED_ACTOR })).count,
  };
}

export const eraseDeletedUsers = consumeUserDeletions<IngestDb, IngestTx>('ingest', eraseUser);
