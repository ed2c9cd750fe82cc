import { badInput, DomainError, ErrorCode, parseId, requireAuthenticated } from '@eventgraph/runtime';
import { builder } from '../builder';
import { confirmsDeletion, receiptStatus } from '../domain/privacy';
import type { ErasureConfirmation, ErasureReceipt } from '../generated/prisma/client';
import { eraseAccount } from '../privacy/erasure';

type ReceiptRow = ErasureReceipt & { confirmations: ErasureConfirmation[] };

const ErasedRecordsRef = builder.objectRef<{ kind: string; count: number }>('ErasedRecords').implement({
  description: 'How many records of one kind a subgraph erased or anonymised.',
  fields: (t) => ({ kind: t.exposeString('kind'), count: t.exposeInt('count') }),
});

const ErasureConfirmationRef = builder.objectRef<ErasureConfirmation>('ErasureConfirmation').implement({
  description: "One subgraph's confirmation that it erased what it held about the account.",
  fields: (t) => ({
    subgraph: t.exposeString('subgraph'),
    confirmedAt: t.expose('confirmedAt', { type: 'DateTime' }),
    erased: t.field({
      type: [ErasedRecordsRef],
      resolve: (c) =>
        Object.entries((c.erased ?? {}) as Record<string, unknown>)
          .filter((e): e is [string, number] => typeof e[1] === 'number')
          .map(([kind, count]) => ({ kind, count })),
    }),
  }),
});

const ErasureReceiptRef = builder.objectRef<ReceiptRow>('ErasureReceipt').implement({
  description:
    'The receipt of a deleted account: which subgraphs confirmed its erasure, and when. Its id is the receipt number; anyone holding it may read the receipt, which names no one.',
  fields: (t) => ({
    id: t.exposeID('id'),
    requestedAt: t.expose('requestedAt', { type: 'DateTime' }),
    complete: t.boolean({ resolve: (r) => receiptStatus(r.confirmations).complete }),
    completedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => receiptStatus(r.confirmations).completedAt }),
    pendingSubgraphs: t.stringList({ resolve: (r) => receiptStatus(r.confirmations).pending }),
    confirmations: t.field({
      type: [ErasureConfirmationRef],
      resolve: (r) => [...r.confirmations].sort((a, b) => a.confirmedAt.getTime() - b.confirmedAt.getTime()),
    }),
  }),
});

builder.queryFields((t) => ({
  erasureReceipt: t.field({
    type: ErasureReceiptRef,
    nullable: true,
    description: 'The receipt of an account deletion by its id (no sign-in needed: the id is unguessable); null if unknown.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      ctx.db.erasureReceipt.findUnique({ where: { id: parseId('id', args.id) }, include: { confirmations: true } }),
  }),
}));

builder.mutationFields((t) => ({
  deleteMyAccount: t.field({
    type: ErasureReceiptRef,
    description:
      "Deletes the signed-in user's account: confirm with the account's email address. Sessions end at once; every subgraph then erases or anonymises what it holds about the user and confirms on the returned receipt. Refused with LAST_OWNER (organizationIds) while the user is an organisation's last owner.",
    args: { confirm: t.arg.string({ required: true, description: "the account's email address" }) },
    resolve: async (_root, args, ctx) => {
      requireAuthenticated(ctx.principal);
      if (ctx.principal.kind !== 'user')
        throw new DomainError(ErrorCode.FORBIDDEN, 'only a signed-in user can delete their account');
      const user = await ctx.db.user.findUnique({ where: { id: ctx.principal.id! }, select: { id: true, email: true } });
      if (!user) throw new DomainError(ErrorCode.NOT_FOUND, 'this account no longer exists');
      if (!confirmsDeletion(args.confirm, user.email)) throw badInput('confirm', "must be the account's email address");
      const receiptId = await ctx.transact((tx, announce) => eraseAccount(tx, announce, user), { timeoutMs: 60_000 });
      return ctx.db.erasureReceipt.findUniqueOrThrow({ where: { id: receiptId }, include: { confirmations: true } });
    },
  }),
}));
