import { plainRecord } from '@eventgraph/runtime';
import type { IngestDb } from '../context';

/** What ingest holds about a person, for their data export: the moderation decisions and split/merge rules they made. */
export async function ingestPartOfExport(db: IngestDb, userId: string): Promise<Record<string, unknown>> {
  const [decisions, rules] = await Promise.all([
    db.moderationDecision.findMany({
      where: { actorId: userId },
      select: { id: true, canonicalEventId: true, state: true, note: true, createdAt: true },
      orderBy: { createdAt: 'asc' },
    }),
    db.matchRule.findMany({
      where: { actorId: userId },
      select: { sourceId: true, externalId: true, canonicalEventId: true, kind: true, createdAt: true },
    }),
  ]);
  return { moderationDecisions: decisions.map(plainRecord), matchRules: rules };
}
