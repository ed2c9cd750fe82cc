import { can, parseId, requireText } from '@eventgraph/runtime';
import { eventToChange } from '../known-events';
import { builder } from '../builder';
import type { AccessContext } from '../context';
import type { Gate } from '../generated/prisma/client';
import { EventRef } from './event';

export const GateDirectionEnum = builder.enumType('GateDirection', { values: ['ENTRY', 'EXIT', 'BOTH'] as const });

export const GateRef = builder.objectRef<Gate>('Gate');

/** Gates are organisation data: invisible (null) to callers who may not read the organisation. */
async function readableGate(ctx: AccessContext, id: string): Promise<Gate | null> {
  const gate = await ctx.loaders.gate.load(id);
  return gate && can(ctx.principal, 'organization.read', gate.organizationId) ? gate : null;
}

builder.asEntity(GateRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => readableGate(ctx, id),
});

GateRef.implement({
  description: 'A place where wristbands are scanned (Main, VIP, Exit, …).',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    direction: t.field({ type: GateDirectionEnum, resolve: (g) => g.direction }),
    event: t.field({ type: EventRef, nullable: true, resolve: (g) => ({ id: g.eventId }) }),
  }),
});

builder.queryFields((t) => ({
  gate: t.field({
    type: GateRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => readableGate(ctx, parseId('id', id)),
  }),
}));

const CreateGateInput = builder.inputType('CreateGateInput', {
  fields: (t) => ({
    eventId: t.id({ required: true }),
    name: t.string({ required: true }),
    direction: t.field({ type: GateDirectionEnum, required: true }),
  }),
});

builder.mutationFields((t) => ({
  createGate: t.field({
    type: GateRef,
    args: { input: t.arg({ type: CreateGateInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const event = await eventToChange(ctx.db, ctx.principal, parseId('eventId', input.eventId), 'gates.manage');
      const data = {
        organizationId: event.organizationId,
        eventId: event.eventId,
        name: requireText('name', input.name, 80),
        direction: input.direction,
      };
      return ctx.transact(async (tx, announce) => {
        const gate = await tx.gate.create({ data });
        await announce('gate.created', { gateId: gate.id, eventId: gate.eventId, organizationId: gate.organizationId });
        return gate;
      });
    },
  }),
}));
