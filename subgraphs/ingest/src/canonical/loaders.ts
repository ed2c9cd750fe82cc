import { loaderById, loaderByParent } from '@eventgraph/runtime';
import type { IngestContext } from '../context';
import type { CanonicalEvent, DuplicateMatch, ModerationDecision, SourceRecord } from '../generated/prisma/client';

/**
 * Per-request loaders of the Layer-1 types (canonical events, their records, matches and decisions), kept beside
 * the context's own so a list of canonical events costs one query per nested field, not one per event.
 */
function createCanonicalLoaders(ctx: IngestContext) {
  const { db } = ctx;
  return {
    canonicalEvent: loaderById<CanonicalEvent>((ids) => db.canonicalEvent.findMany({ where: { id: { in: [...ids] } } })),
    sourceRecord: loaderById<SourceRecord>((ids) => db.sourceRecord.findMany({ where: { id: { in: [...ids] } } })),
    recordsOfCanonical: loaderByParent<SourceRecord>(
      (ids) =>
        db.sourceRecord.findMany({
          where: { canonicalEventId: { in: [...ids] } },
          orderBy: [{ firstSeenAt: 'asc' }, { id: 'asc' }],
        }),
      (r) => r.canonicalEventId!,
    ),
    matchesOfCanonical: loaderByParent<DuplicateMatch>(
      (ids) => db.duplicateMatch.findMany({ where: { canonicalEventId: { in: [...ids] } }, orderBy: { id: 'asc' } }),
      (m) => m.canonicalEventId,
    ),
    matchesOfRecord: loaderByParent<DuplicateMatch>(
      (ids) => db.duplicateMatch.findMany({ where: { recordId: { in: [...ids] } }, orderBy: { id: 'asc' } }),
      (m) => m.recordId,
    ),
    decisionsOfCanonical: loaderByParent<ModerationDecision>(
      (ids) => db.moderationDecision.findMany({ where: { canonicalEventId: { in: [...ids] } }, orderBy: { id: 'asc' } }),
      (d) => d.canonicalEventId,
    ),
  };
}

export type CanonicalLoaders = ReturnType<typeof createCanonicalLoaders>;

const perRequest = new WeakMap<IngestContext, CanonicalLoaders>();

export function canonicalLoaders(ctx: IngestContext): CanonicalLoaders {
  let loaders = perRequest.get(ctx);
  if (!loaders) {
    loaders = createCanonicalLoaders(ctx);
    perRequest.set(ctx, loaders);
  }
  return loaders;
}
