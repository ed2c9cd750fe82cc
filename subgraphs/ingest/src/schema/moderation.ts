import { clearLoaders, notFound, parseId } from '@eventgraph/runtime';
import { builder } from '../builder';
import { canonicalLoaders } from '../canonical/loaders';
import type { IngestContext } from '../context';
import { actorOf } from '../canonical/actor';
import { mergeCanonicalEvents, moderateCanonicalEvent, splitSourceRecord } from '../canonical/moderate';
import { cleanNote } from '../domain/moderation';
import { CanonicalEventRef, ModerationStateEnum, requireModerator } from './canonical-event';

/** the canonical event as it is after the change (loaders may hold the one read before it) */
async function reread(ctx: IngestContext, id: string) {
  const loaders = canonicalLoaders(ctx);
  clearLoaders(loaders);
  const event = await loaders.canonicalEvent.load(id);
  if (!event) throw notFound('CanonicalEvent', id);
  return event;
}

builder.mutationFields((t) => ({
  moderateCanonicalEvent: t.field({
    type: CanonicalEventRef,
    description:
      'Moves a canonical event to a moderation state (platform staff). APPROVED publishes it to events; leaving APPROVED withdraws it. REJECTED and FLAGGED need a note.',
    args: {
      id: t.arg.id({ required: true }),
      state: t.arg({ type: ModerationStateEnum, required: true }),
      note: t.arg.string(),
    },
    resolve: async (_root, args, ctx) => {
      requireModerator(ctx);
      const id = parseId('id', args.id);
      const input = { id, state: args.state, note: cleanNote(args.note), actor: actorOf(ctx.principal) };
      await ctx.transactSql((tx, announce) => moderateCanonicalEvent(tx, announce, input));
      return reread(ctx, id);
    },
  }),
  splitSourceRecord: t.field({
    type: CanonicalEventRef,
    description:
      'Moves a record out of its canonical event into a new one, which it never leaves for the old one again (platform staff). Returns the new canonical event.',
    args: { recordId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireModerator(ctx);
      const recordId = parseId('recordId', args.recordId);
      const newId = await ctx.transactSql((tx, announce) =>
        splitSourceRecord(tx, announce, { recordId, actor: actorOf(ctx.principal) }),
      );
      return reread(ctx, newId);
    },
  }),
  mergeCanonicalEvents: t.field({
    type: CanonicalEventRef,
    description:
      'Moves every record of `mergeId` into `keepId` and keeps them there on later fetches; `mergeId` is rejected, and withdrawn from events if it was published (platform staff). Returns the kept event.',
    args: { keepId: t.arg.id({ required: true }), mergeId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireModerator(ctx);
      const keepId = parseId('keepId', args.keepId);
      const mergeId = parseId('mergeId', args.mergeId);
      await ctx.transactSql((tx, announce) =>
        mergeCanonicalEvents(tx, announce, { keepId, mergeId, actor: actorOf(ctx.principal) }),
      );
      return reread(ctx, keepId);
    },
  }),
}));
