import { builder } from '../builder';
import { canonicalLoaders } from '../canonical/loaders';
import type { Source } from '../generated/prisma/client';
import { canSeeSource } from '../visibility';
import { SourceRef } from './source';
import { SourceRecordRef, visibleRecords } from './source-record';

/**
 * Events belong to the events subgraph; ingest adds where they came from. A Layer-1 event's id is its canonical
 * event's id, so its provenance is the canonical event's source records.
 */
export const EventRef = builder.externalRef('Event', builder.selection<{ id: string }>('id')).implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    sources: t.field({
      type: [SourceRef],
      description: 'The sources this event was aggregated from: attributed links and the sources of its records.',
      resolve: async (event, _args, ctx) => {
        const [linked, records] = await Promise.all([
          ctx.loaders.sourcesOfEvent.load(event.id),
          canonicalLoaders(ctx).recordsOfCanonical.load(event.id),
        ]);
        const fromRecords = await Promise.all(
          [...new Set(records.filter((r) => r.state !== 'INVALID').map((r) => r.sourceId))].map((id) =>
            ctx.loaders.source.load(id),
          ),
        );
        const unique = new Map<string, Source>();
        for (const source of [...linked, ...fromRecords]) if (source) unique.set(source.id, source);
        return [...unique.values()].filter((s) => canSeeSource(ctx.principal, s));
      },
    }),
    sourceRecords: t.field({
      type: [SourceRecordRef],
      description: 'Provenance of a Layer-1 event: every source record it was merged from, with what each said.',
      resolve: async (event, _args, ctx) => visibleRecords(ctx, await canonicalLoaders(ctx).recordsOfCanonical.load(event.id)),
    }),
  }),
});
