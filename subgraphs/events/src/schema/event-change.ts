import { badInput, clearLoaders, liveEvents, parseId } from '@eventgraph/runtime';
import { canSeeEvent } from '../visibility';
import { builder } from '../builder';
import { EVENT_TOPICS } from '../event-announcements';
import { EventRef } from './event';

/** What a live subscriber receives: the kind of change and the event as it is now. */
interface EventChange {
  kind: ChangeKind;
  eventId: string;
  changedFields: string[];
}

const CHANGE_KINDS = {
  [EVENT_TOPICS.created]: 'CREATED',
  [EVENT_TOPICS.updated]: 'UPDATED',
  [EVENT_TOPICS.statusChanged]: 'STATUS_CHANGED',
} as const;
type ChangeKind = (typeof CHANGE_KINDS)[keyof typeof CHANGE_KINDS];

const EventChangeKind = builder.enumType('EventChangeKind', { values: ['CREATED', 'UPDATED', 'STATUS_CHANGED'] as const });

const EventChangeRef = builder.objectRef<EventChange>('EventChange').implement({
  fields: (t) => ({
    kind: t.field({ type: EventChangeKind, resolve: (c) => c.kind }),
    changedFields: t.stringList({ description: 'for UPDATED: which fields changed', resolve: (c) => c.changedFields }),
    event: t.field({ type: EventRef, nullable: true, resolve: (c, _args, ctx) => ctx.loaders.event.load(c.eventId) }),
  }),
});

builder.subscriptionFields((t) => ({
  eventChanged: t.field({
    type: EventChangeRef,
    description: 'Events created, changed or moved along their lifecycle, for one organisation or one event.',
    args: { organizationId: t.arg.id(), eventId: t.arg.id() },
    subscribe: async (_root, args, ctx) => {
      const organizationId = args.organizationId ? parseId('organizationId', args.organizationId) : undefined;
      const eventId = args.eventId ? parseId('eventId', args.eventId) : undefined;
      if (!organizationId && !eventId) throw badInput('organizationId', 'give organizationId or eventId');
      // friends as of subscribing: a subscription sees FRIENDS events of the people who were friends then
      const friends = await ctx.friends();
      // the same visibility as queries: changes of unpublished or private events reach only their organisation
      return liveEvents(ctx.bus, 'event.*', (e) => {
        const { payload } = e;
        return (
          e.topic in CHANGE_KINDS &&
          (!organizationId || payload.organizationId === organizationId) &&
          (!eventId || payload.eventId === eventId) &&
          canSeeEvent(
            ctx.principal,
            {
              status: payload.status as string,
              organizationId: (payload.organizationId as string | null | undefined) ?? null,
              ownerUserId: payload.ownerUserId as string | null | undefined,
              visibility: payload.visibility as string | undefined,
              // a category-limited partner key sees the changes of the categories it may show
              categories: payload.categories as string[] | undefined,
            },
            { direct: Boolean(eventId), friends },
          )
        );
      });
    },
    resolve: (busEvent, _args, ctx): EventChange => {
      clearLoaders(ctx.loaders);
      return {
        kind: CHANGE_KINDS[busEvent.topic as keyof typeof CHANGE_KINDS],
        eventId: busEvent.payload.eventId as string,
        changedFields: (busEvent.payload.changed as string[] | undefined) ?? [],
      };
    },
  }),
}));
