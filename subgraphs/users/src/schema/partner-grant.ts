import { DELEGATED_SCOPES, DomainError, ErrorCode, parseId } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { UsersContext } from '../context';
import { grantableApp, granterOf, grantScopes } from '../domain/partner-grants';
import type { PartnerGrant } from '../generated/prisma/client';

/** The topic gateways evict their cached grant on, so a revoked grant refuses the next request. */
export const PARTNER_GRANT_CHANGED = 'partner_grant.changed';

type GrantRow = PartnerGrant & { partnerApp: { name: string; brandName: string } };

export const PartnerScopeEnum = builder.enumType('PartnerScope', {
  description: 'What a user lets a partner app do for them. TICKETS_BUY: hold, book and join waitlists as the user.',
  values: DELEGATED_SCOPES,
});

export const PartnerGrantRef = builder.objectRef<GrantRow>('PartnerGrant').implement({
  description:
    "A user's consent that a partner app's keys act for them (header `x-eventgraph-acting-for: <userId>`), within its scopes.",
  fields: (t) => ({
    partnerAppId: t.exposeID('partnerAppId'),
    // the app's name and brand only: the rest of a partner app is its organisation's
    partnerAppName: t.string({ resolve: (g) => g.partnerApp.name }),
    brandName: t.string({ resolve: (g) => g.partnerApp.brandName }),
    scopes: t.field({ type: [PartnerScopeEnum], resolve: (g) => g.scopes }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const withApp = { partnerApp: { select: { name: true, brandName: true } } } as const;

function requireGateway(ctx: UsersContext): void {
  if (ctx.principal.kind !== 'service' || ctx.principal.id !== 'gateway')
    throw new DomainError(ErrorCode.FORBIDDEN, 'only the gateway resolves partner grants');
}

builder.queryFields((t) => ({
  myPartnerGrants: t.field({
    type: [PartnerGrantRef],
    description: 'The partner apps the signed-in user lets act for them.',
    resolve: (_root, _args, ctx) =>
      ctx.db.partnerGrant.findMany({
        where: { userId: granterOf(ctx.principal) },
        include: withApp,
        orderBy: { createdAt: 'asc' },
      }),
  }),
  _partnerGrant: t.field({
    type: [PartnerScopeEnum],
    nullable: true,
    inaccessible: true,
    description: 'the scopes a user granted a partner app; null when there is no grant',
    args: { partnerAppId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireGateway(ctx);
      const row = await ctx.db.partnerGrant.findUnique({
        where: {
          userId_partnerAppId: {
            userId: parseId('userId', args.userId),
            partnerAppId: parseId('partnerAppId', args.partnerAppId),
          },
        },
        select: { scopes: true },
      });
      return row?.scopes ?? null;
    },
  }),
}));

builder.mutationFields((t) => ({
  grantPartnerApp: t.field({
    type: PartnerGrantRef,
    description: 'Lets a partner app act for the signed-in user within `scopes` (replacing an earlier grant to the same app).',
    args: {
      partnerAppId: t.arg.id({ required: true }),
      scopes: t.arg({ type: [PartnerScopeEnum], required: true }),
    },
    resolve: async (_root, args, ctx) => {
      const userId = granterOf(ctx.principal);
      const partnerAppId = parseId('partnerAppId', args.partnerAppId);
      const scopes = grantScopes(args.scopes);
      grantableApp(await ctx.db.partnerApp.findUnique({ where: { id: partnerAppId }, select: { id: true } }), partnerAppId);
      return ctx.transact(async (tx, announce) => {
        const grant = await tx.partnerGrant.upsert({
          where: { userId_partnerAppId: { userId, partnerAppId } },
          create: { userId, partnerAppId, scopes },
          update: { scopes },
          include: withApp,
        });
        await announce(PARTNER_GRANT_CHANGED, { userId, partnerAppId });
        return grant;
      });
    },
  }),
  revokePartnerGrant: t.boolean({
    description: 'Ends a partner app acting for the signed-in user, at once; false when there was no grant.',
    args: { partnerAppId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const userId = granterOf(ctx.principal);
      const partnerAppId = parseId('partnerAppId', args.partnerAppId);
      return ctx.transact(async (tx, announce) => {
        const { count } = await tx.partnerGrant.deleteMany({ where: { userId, partnerAppId } });
        if (count > 0) await announce(PARTNER_GRANT_CHANGED, { userId, partnerAppId });
        return count > 0;
      });
    },
  }),
}));
