import { parseId } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { Hold, HoldItem } from '../generated/prisma/client';
import { ownHold, placeHold, releaseHold } from '../sales/holds';
import { EventRef } from './event';
import { TicketTypeRef } from './ticket-type';

export const HoldStatusEnum = builder.enumType('HoldStatus', {
  values: {
    ACTIVE: { description: 'its tickets are set aside until expiresAt' },
    CONFIRMED: { description: 'it became a booking' },
    EXPIRED: { description: 'it ran out; its tickets went back on sale' },
    RELEASED: { description: 'its buyer gave it back' },
  } as const,
});

export const HoldRef = builder.objectRef<Hold>('Hold');
const HoldItemRef = builder.objectRef<HoldItem>('HoldItem');

HoldItemRef.implement({
  fields: (t) => ({
    quantity: t.exposeInt('quantity'),
    ticketType: t.field({
      type: TicketTypeRef,
      nullable: true,
      resolve: (item, _args, ctx) => ctx.loaders.ticketType.load(item.ticketTypeId),
    }),
  }),
});

HoldRef.implement({
  description:
    'A buyer’s short reservation of tickets: they count against availability until it is confirmed (confirmHold) or expires.',
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.field({
      type: HoldStatusEnum,
      description: 'ACTIVE past expiresAt is as good as EXPIRED (the scheduler will say so shortly)',
      resolve: (hold) => (hold.status === 'ACTIVE' && hold.expiresAt <= new Date() ? 'EXPIRED' : hold.status),
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    soldThroughAppId: t.exposeID('soldThroughAppId', {
      nullable: true,
      description: 'the partner app that placed it for its buyer; null if they placed it themselves',
    }),
    event: t.field({ type: EventRef, nullable: true, resolve: (hold) => ({ id: hold.eventId }) }),
    items: t.field({ type: [HoldItemRef], resolve: (hold, _args, ctx) => ctx.loaders.itemsOfHold.load(hold.id) }),
  }),
});

const HoldItemInput = builder.inputType('HoldItemInput', {
  fields: (t) => ({
    ticketTypeId: t.id({ required: true }),
    quantity: t.int({
      description:
        'a whole number of tickets, at least 1, at most the type’s maxPerOrder (of a seated type: its best available seats, side by side in a row when it can); or name seatIds',
    }),
    seatIds: t.idList({
      description: 'of a seated type, instead of a quantity: these very seats (SEAT_TAKEN if any is taken, and nothing is held)',
    }),
    accessible: t.boolean({ description: 'best-available of a seated type: accessible seats only (given only when asked)' }),
  }),
});

const CreateHoldInput = builder.inputType('CreateHoldInput', {
  fields: (t) => ({
    eventId: t.id({ required: true }),
    items: t.field({
      type: [HoldItemInput],
      required: true,
      description: 'one line per ticket type (at most 10, 100 tickets in all)',
    }),
    accessCode: t.string({ description: 'the code of a HIDDEN ticket type among them' }),
  }),
});

builder.queryFields((t) => ({
  hold: t.field({
    type: HoldRef,
    nullable: true,
    description: 'One of the caller’s own holds (a partner app acting for a user: one it placed); null for anyone else’s.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ownHold(ctx, parseId('id', args.id)),
  }),
}));

builder.mutationFields((t) => ({
  createHold: t.field({
    type: HoldRef,
    description:
      'Sets tickets aside for the caller (a signed-in user, or a partner app) while the event is ON_SALE, for ACCESS_HOLD_TTL_SECONDS (10 minutes); SOLD_OUT if fewer are left, and nothing is held then.',
    args: { input: t.arg({ type: CreateHoldInput, required: true }) },
    resolve: (_root, { input }, ctx) => placeHold(ctx, input),
  }),
  releaseHold: t.field({
    type: HoldRef,
    description: 'Gives a live hold back before it expires; its tickets are on sale again at once.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => releaseHold(ctx, parseId('id', args.id)),
  }),
}));
