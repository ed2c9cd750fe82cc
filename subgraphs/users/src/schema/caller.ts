import { DomainError, ErrorCode, parseId, type Membership } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { UsersContext } from '../context';

/**
 * What the gateway needs to know about a caller to build its principal. Not
 * part of the public API (@inaccessible): only the gateway, as a platform
 * service, may ask.
 */
interface Caller {
  kind: 'user';
  id: string;
  memberships: Membership[];
  /** access tokens issued before this instant are no longer accepted */
  credentialsChangedAt: Date | null;
}

const MembershipGrantRef = builder.objectRef<Membership>('MembershipGrant').implement({
  inaccessible: true,
  fields: (t) => ({
    organizationId: t.exposeID('organizationId'),
    role: t.exposeString('role'),
  }),
});

const CallerRef = builder.objectRef<Caller>('Caller').implement({
  inaccessible: true,
  fields: (t) => ({
    kind: t.exposeString('kind'),
    id: t.exposeID('id'),
    memberships: t.field({ type: [MembershipGrantRef], resolve: (c) => c.memberships }),
    credentialsChangedAt: t.expose('credentialsChangedAt', { type: 'DateTime', nullable: true }),
  }),
});

function requireGateway(ctx: UsersContext): void {
  if (ctx.principal.kind !== 'service' || ctx.principal.id !== 'gateway') {
    throw new DomainError(ErrorCode.FORBIDDEN, 'only the gateway resolves callers');
  }
}

builder.queryFields((t) => ({
  _userCaller: t.field({
    type: CallerRef,
    nullable: true,
    inaccessible: true,
    args: { userId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireGateway(ctx);
      const user = await ctx.db.user.findUnique({ where: { id: parseId('userId', args.userId) }, include: { memberships: true } });
      if (!user) return null;
      return {
        kind: 'user' as const,
        id: user.id,
        memberships: user.memberships.map((m) => ({ organizationId: m.organizationId, role: m.role })),
        credentialsChangedAt: user.passwordChangedAt,
      };
    },
  }),
}));
