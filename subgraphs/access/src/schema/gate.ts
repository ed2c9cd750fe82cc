import { parseId, requireText } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { Gate } from '../generated/prisma/client';
import { EventRef } from './event';

export const GateDirectionEnum = builder.enumType('GateDirection', { values: ['ENTRY', 'EXIT', 'BOTH'] as const });

export const GateRef = builder.objectRef<Gate>('Gate');

builder.asEntity(GateRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => ctx.loaders.gate.load(id),
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
    resolve: (_root, { id }, ctx) => ctx.loaders.gate.load(parseId('id', id)),
  }),
}));

const CreateGateInput = builder.inputType('CreateGateInput', {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    eventId: t.id({ required: true }),
    name: t.string({ required: true }),
    direction: t.field({ type: GateDirectionEnum, required: true }),
  }),
});

builder.mutationFields((t) => ({
  createGate: t.field({
    type: GateRef,
    args: { input: t.arg({ type: CreateGateInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const data = {
        organizationId: parseId('organizationId', input.organizationId),
        eventId: parseId('eventId', input.eventId),
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
