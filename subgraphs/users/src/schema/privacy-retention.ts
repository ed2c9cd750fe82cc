import {
  afterWhere,
  decodeCursor,
  DomainError,
  encodeCursor,
  ErrorCode,
  isPlatformService,
  pageOf,
  pageSize,
  requireAuthenticated,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import type { RetentionRun } from '../generated/prisma/client';
import { connectionType, pageArgs, pageListSize } from './connection';

const RetentionRunRef = builder.objectRef<RetentionRun>('RetentionRun').implement({
  description: "One run of one subgraph's retention policy: what it deleted or anonymised, and when.",
  fields: (t) => ({
    id: t.exposeID('id'),
    subgraph: t.exposeString('subgraph'),
    policy: t.exposeString('policy'),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime' }),
    deleted: t.exposeInt('deleted'),
    anonymised: t.exposeInt('anonymised'),
    batches: t.exposeInt('batches'),
    error: t.exposeString('error', { nullable: true, description: 'why the run stopped early' }),
  }),
});

const RetentionRunConnectionRef = connectionType('RetentionRun', RetentionRunRef);

builder.queryFields((t) => ({
  retentionRuns: t.field({
    type: RetentionRunConnectionRef,
    description: "Platform admins: the retention policies' runs in every subgraph, latest first.",
    args: { policy: t.arg.string({ description: 'one policy, e.g. access.check-ins' }), ...pageArgs(t.arg) },
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      requireAuthenticated(ctx.principal);
      if (!isPlatformService(ctx.principal)) throw new DomainError(ErrorCode.FORBIDDEN, 'retention runs are for platform admins');
      const first = pageSize(args.first);
      const after = args.after != null ? decodeCursor(args.after, 'time') : null;
      const where = args.policy ? { policy: args.policy } : {};
      const rows = await ctx.db.retentionRun.findMany({
        where: after ? { AND: [where, afterWhere('finishedAt', after, 'desc', 'id')] } : where,
        orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }],
        take: first + 1,
      });
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (r) => encodeCursor(r.finishedAt, r.id),
        count: () => ctx.db.retentionRun.count({ where }),
      });
    },
  }),
}));
