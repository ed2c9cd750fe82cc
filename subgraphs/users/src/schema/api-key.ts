import { randomUUID } from 'node:crypto';
import { badInput, can, DomainError, ErrorCode, notFound, parseId, requireText, SCOPES } from '@eventgraph/runtime';
import { builder } from '../builder';
import { apiKeyUsable, MAX_OVERLAP_MINUTES, MAX_RATE_LIMIT, MIN_RATE_LIMIT, unknownScopes } from '../domain/api-keys';
import type { ApiKey } from '../generated/prisma/client';
import { API_KEY_PREFIX, issueCredential } from '../security/credentials';
import { managedPartnerApp, PartnerAppRef } from './partner-app';

export const ApiKeyRef = builder.objectRef<ApiKey>('ApiKey').implement({
  description: `A partner app's credential. Scopes: ${SCOPES.join(', ')}.`,
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    scopes: t.exposeStringList('scopes'),
    rateLimitPerMinute: t.exposeInt('rateLimitPerMinute'),
    active: t.boolean({ resolve: (key) => apiKeyUsable(key, new Date()) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'set by rotation: the end of the overlap window',
    }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

interface IssuedKey {
  apiKey: ApiKey;
  secret: string;
}

const IssuedKeyRef = builder.objectRef<IssuedKey>('IssuedApiKey').implement({
  description: 'A new key and its secret: the secret is shown this once; store it now.',
  fields: (t) => ({
    apiKey: t.field({ type: ApiKeyRef, resolve: (x) => x.apiKey }),
    secret: t.exposeString('secret', { description: 'send as `Authorization: Bearer <secret>`' }),
  }),
});

builder.objectField(PartnerAppRef, 'apiKeys', (t) =>
  t.field({
    type: [ApiKeyRef],
    resolve: (app, _args, ctx) => ctx.db.apiKey.findMany({ where: { partnerAppId: app.id }, orderBy: { createdAt: 'asc' } }),
  }),
);

function checkKeySettings(scopes: string[], rateLimitPerMinute: number): void {
  const unknown = unknownScopes(scopes);
  if (scopes.length === 0) throw badInput('scopes', `give at least one of ${SCOPES.join(', ')}`);
  if (unknown.length) throw badInput('scopes', `unknown scope ${unknown.join(', ')}; known: ${SCOPES.join(', ')}`);
  if (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < MIN_RATE_LIMIT || rateLimitPerMinute > MAX_RATE_LIMIT) {
    throw badInput('rateLimitPerMinute', `must be between ${MIN_RATE_LIMIT} and ${MAX_RATE_LIMIT}`);
  }
}

async function managedKey(ctx: Parameters<typeof managedPartnerApp>[0], id: string) {
  const key = await ctx.db.apiKey.findUnique({ where: { id } });
  const app = key && (await ctx.db.partnerApp.findUnique({ where: { id: key.partnerAppId } }));
  // another organisation's key is as unknown as a missing one: the refusal names the key, never its app
  if (!key || !app || !can(ctx.principal, 'organization.read', app.organizationId)) throw notFound('ApiKey', id);
  return { key, app: await managedPartnerApp(ctx, app.id) };
}

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: IssuedKeyRef,
    args: {
      partnerAppId: t.arg.id({ required: true }),
      name: t.arg.string({ required: true }),
      scopes: t.arg.stringList({ required: true }),
      rateLimitPerMinute: t.arg.int({ defaultValue: 600 }),
    },
    resolve: async (_root, args, ctx) => {
      const app = await managedPartnerApp(ctx, parseId('partnerAppId', args.partnerAppId));
      const scopes = [...new Set(args.scopes)];
      const rateLimitPerMinute = args.rateLimitPerMinute ?? 600;
      checkKeySettings(scopes, rateLimitPerMinute);
      const id = randomUUID();
      const credential = issueCredential(API_KEY_PREFIX, id);
      const apiKey = await ctx.db.apiKey.create({
        data: {
          id,
          partnerAppId: app.id,
          name: requireText('name', args.name, 80),
          secretHash: credential.hash,
          scopes,
          rateLimitPerMinute,
        },
      });
      return { apiKey, secret: credential.token };
    },
  }),

  rotateApiKey: t.field({
    type: IssuedKeyRef,
    description: 'Issues a replacement key with the same scopes; the old key keeps working for `overlapMinutes`, then stops.',
    args: { id: t.arg.id({ required: true }), overlapMinutes: t.arg.int({ defaultValue: 60 }) },
    resolve: async (_root, args, ctx) => {
      const { key, app } = await managedKey(ctx, parseId('id', args.id));
      const overlap = args.overlapMinutes ?? 60;
      if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_OVERLAP_MINUTES)
        throw badInput('overlapMinutes', `must be between 0 and ${MAX_OVERLAP_MINUTES}`);
      if (!apiKeyUsable(key, new Date())) throw new DomainError(ErrorCode.CONFLICT, 'only an active key can be rotated');
      const id = randomUUID();
      const credential = issueCredential(API_KEY_PREFIX, id);
      const apiKey = await ctx.transact(async (tx, announce) => {
        await tx.apiKey.update({ where: { id: key.id }, data: { expiresAt: new Date(Date.now() + overlap * 60_000) } });
        const created = await tx.apiKey.create({
          data: {
            id,
            partnerAppId: app.id,
            name: key.name,
            secretHash: credential.hash,
            scopes: key.scopes,
            rateLimitPerMinute: key.rateLimitPerMinute,
          },
        });
        await announce('apikey.changed', { organizationId: app.organizationId, apiKeyId: key.id });
        return created;
      });
      return { apiKey, secret: credential.token };
    },
  }),

  revokeApiKey: t.field({
    type: ApiKeyRef,
    description: 'Stops the key at once, at every gateway.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const { key, app } = await managedKey(ctx, parseId('id', args.id));
      return ctx.transact(async (tx, announce) => {
        const revoked = await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: key.revokedAt ?? new Date() } });
        await announce('apikey.changed', { organizationId: app.organizationId, apiKeyId: key.id });
        return revoked;
      });
    },
  }),
}));
