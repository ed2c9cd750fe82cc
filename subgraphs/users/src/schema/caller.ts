import { DomainError, ErrorCode, parseId, type Membership, type WhiteLabel } from '@eventgraph/runtime';
import { builder } from '../builder';
import { apiKeyUsable, deviceUsable } from '../domain/api-keys';
import { API_KEY_PREFIX, DEVICE_CREDENTIAL_PREFIX, parseCredential, secretMatches } from '../security/credentials';
import type { UsersContext } from '../context';

/**
 * What the gateway needs to know about a caller to build its principal. Not
 * part of the public API (@inaccessible): only the gateway, as a platform
 * service, may ask.
 */
interface Caller {
  kind: 'user' | 'apiKey' | 'device';
  id: string;
  memberships: Membership[];
  scopes: string[];
  /** users: access tokens issued before this instant are no longer accepted */
  credentialsChangedAt: Date | null;
  /** users: sessions (refresh-token families) ended so recently that access tokens of theirs may still be alive */
  revokedSessionIds: string[];
  /** API keys */
  rateLimitPerMinute: number | null;
  partnerAppId: string | null;
  trustedDocumentsOnly: boolean;
  /** API keys: the end of a rotation's overlap window */
  expiresAt: Date | null;
  /** devices */
  gateIds: string[];
  /** partner keys: what the partner app's white-label configuration lets it show */
  whiteLabel: WhiteLabel | null;
  /** partner keys: the partner site's origins, from which browsers may call with this key */
  allowedOrigins: string[];
}

const NONE = {
  scopes: [],
  credentialsChangedAt: null,
  revokedSessionIds: [],
  rateLimitPerMinute: null,
  partnerAppId: null,
  trustedDocumentsOnly: false,
  expiresAt: null,
  gateIds: [],
  whiteLabel: null,
  allowedOrigins: [],
};

const MembershipGrantRef = builder.objectRef<Membership>('MembershipGrant').implement({
  inaccessible: true,
  fields: (t) => ({
    organizationId: t.exposeID('organizationId'),
    role: t.exposeString('role'),
  }),
});

const WhiteLabelGrantRef = builder.objectRef<WhiteLabel>('WhiteLabelGrant').implement({
  inaccessible: true,
  fields: (t) => ({
    organizationIds: t.exposeIDList('organizationIds'),
    categories: t.exposeStringList('categories'),
    visibilities: t.exposeStringList('visibilities'),
  }),
});

const CallerRef = builder.objectRef<Caller>('Caller').implement({
  inaccessible: true,
  fields: (t) => ({
    kind: t.exposeString('kind'),
    id: t.exposeID('id'),
    memberships: t.field({ type: [MembershipGrantRef], resolve: (c) => c.memberships }),
    scopes: t.exposeStringList('scopes'),
    credentialsChangedAt: t.expose('credentialsChangedAt', { type: 'DateTime', nullable: true }),
    revokedSessionIds: t.exposeIDList('revokedSessionIds'),
    rateLimitPerMinute: t.exposeInt('rateLimitPerMinute', { nullable: true }),
    partnerAppId: t.exposeID('partnerAppId', { nullable: true }),
    trustedDocumentsOnly: t.exposeBoolean('trustedDocumentsOnly'),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    gateIds: t.exposeIDList('gateIds'),
    whiteLabel: t.field({ type: WhiteLabelGrantRef, nullable: true, resolve: (c) => c.whiteLabel }),
    allowedOrigins: t.exposeStringList('allowedOrigins'),
  }),
});

/** At most this many revoked sessions are named; a user ending more within one access-token lifetime is not plausible. */
const MAX_REVOKED_SESSIONS = 1_000;
/** Clock differences between users and the gateways. */
const CLOCK_SKEW_MS = 60_000;

/**
 * The families revoked within one access-token lifetime: an access token of an older revocation has
 * expired anyway, so the list stays short.
 */
async function recentlyRevokedSessions(ctx: UsersContext, userId: string): Promise<string[]> {
  const since = new Date(Date.now() - ctx.settings.ACCESS_TOKEN_TTL_SECONDS * 1000 - CLOCK_SKEW_MS);
  const rows = await ctx.db.refreshToken.findMany({
    where: { userId, revokedAt: { gte: since } },
    select: { familyId: true },
    distinct: ['familyId'],
    orderBy: { familyId: 'asc' },
    take: MAX_REVOKED_SESSIONS,
  });
  return rows.map((r) => r.familyId);
}

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
      const user = await ctx.db.user.findUnique({
        where: { id: parseId('userId', args.userId) },
        include: { memberships: true },
      });
      if (!user) return null;
      return {
        ...NONE,
        kind: 'user' as const,
        id: user.id,
        memberships: user.memberships.map((m) => ({ organizationId: m.organizationId, role: m.role })),
        credentialsChangedAt: user.passwordChangedAt,
        revokedSessionIds: await recentlyRevokedSessions(ctx, user.id),
      };
    },
  }),

  _credentialCaller: t.field({
    type: CallerRef,
    nullable: true,
    inaccessible: true,
    description: 'an API key or device credential as presented; null when it is unknown, revoked or expired',
    args: { credential: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireGateway(ctx);
      const now = new Date();
      const key = parseCredential(API_KEY_PREFIX, args.credential);
      if (key) {
        const row = await ctx.db.apiKey.findUnique({ where: { id: key.id }, include: { partnerApp: true } });
        if (!row || !secretMatches(key.secret, row.secretHash) || !apiKeyUsable(row, now)) return null;
        return {
          ...NONE,
          kind: 'apiKey' as const,
          id: row.id,
          // a key acts within its organisation; its scopes say what it may do there
          memberships: [{ organizationId: row.partnerApp.organizationId, role: 'VIEWER' as const }],
          scopes: row.scopes,
          rateLimitPerMinute: row.rateLimitPerMinute,
          partnerAppId: row.partnerAppId,
          trustedDocumentsOnly: row.partnerApp.trustedDocumentsOnly,
          expiresAt: row.expiresAt,
          whiteLabel: {
            organizationIds: [...new Set([row.partnerApp.organizationId, ...row.partnerApp.allowedOrganizationIds])],
            categories: row.partnerApp.allowedCategories,
            visibilities: row.partnerApp.allowedVisibilities,
          },
          allowedOrigins: row.partnerApp.allowedOrigins,
        };
      }
      const device = parseCredential(DEVICE_CREDENTIAL_PREFIX, args.credential);
      if (device) {
        const row = await ctx.db.device.findUnique({ where: { id: device.id } });
        if (!row || !deviceUsable(row) || !secretMatches(device.secret, row.credentialHash)) return null;
        return {
          ...NONE,
          kind: 'device' as const,
          id: row.id,
          memberships: [{ organizationId: row.organizationId, role: 'VIEWER' as const }],
          scopes: ['scan'],
          gateIds: row.allowedGateIds,
        };
      }
      return null;
    },
  }),

  _partnerOrigins: t.field({
    type: ['String'],
    inaccessible: true,
    description: 'every origin some partner app lists: the gateway answers CORS preflights (no credential yet) from them',
    resolve: async (_root, _args, ctx) => {
      requireGateway(ctx);
      const rows = await ctx.db.partnerApp.findMany({
        where: { NOT: { allowedOrigins: { isEmpty: true } } },
        select: { allowedOrigins: true },
      });
      return [...new Set(rows.flatMap((r) => r.allowedOrigins))];
    },
  }),

  _trustedDocument: t.field({
    type: 'String',
    nullable: true,
    inaccessible: true,
    description: 'the text of an operation a partner app registered, by its sha256; null when it has none such',
    args: { partnerAppId: t.arg.id({ required: true }), sha256: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireGateway(ctx);
      const row = await ctx.db.trustedDocument.findUnique({
        where: { partnerAppId_sha256: { partnerAppId: parseId('partnerAppId', args.partnerAppId), sha256: args.sha256 } },
        select: { document: true },
      });
      return row?.document ?? null;
    },
  }),

  _trustedDocuments: t.field({
    type: ['String'],
    inaccessible: true,
    description: 'the sha256 hashes of the operations a partner app may run',
    args: { partnerAppId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireGateway(ctx);
      const rows = await ctx.db.trustedDocument.findMany({
        where: { partnerAppId: parseId('partnerAppId', args.partnerAppId) },
        select: { sha256: true },
      });
      return rows.map((r) => r.sha256);
    },
  }),
}));
