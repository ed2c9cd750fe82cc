import { createHash } from 'node:crypto';
import { badInput, can, DomainError, ErrorCode, notFound, parseId, requirePermission, requireText } from '@eventgraph/runtime';
import { parse } from 'graphql';
import { builder } from '../builder';
import type { UsersContext } from '../context';
import type { PartnerApp } from '../generated/prisma/client';
import { checkLogoUrl, checkOrigins } from '../domain/white-label';

export const PartnerAppRef = builder.objectRef<PartnerApp>('PartnerApp');

/** An organisation's partner apps are its data: other callers get null / NOT_FOUND. */
export async function managedPartnerApp(
  ctx: UsersContext,
  id: string,
  permission: 'organization.read' | 'integrations.manage' = 'integrations.manage',
) {
  const app = await ctx.db.partnerApp.findUnique({ where: { id } });
  if (!app || !can(ctx.principal, 'organization.read', app.organizationId)) throw notFound('PartnerApp', id);
  requirePermission(ctx.principal, permission, app.organizationId);
  return app;
}

const VISIBILITIES = ['PUBLIC', 'UNLISTED', 'PRIVATE', 'FRIENDS'] as const;
const COLOR = /^#[0-9a-f]{6}$/i;

interface BrandColors {
  primary?: string;
  accent?: string;
}

const WhiteLabelRef = builder.objectRef<PartnerApp>('WhiteLabel').implement({
  description: 'What a partner site may show and how it looks.',
  fields: (t) => ({
    brandName: t.exposeString('brandName'),
    primaryColor: t.string({ nullable: true, resolve: (app) => (app.brandColors as BrandColors).primary ?? null }),
    accentColor: t.string({ nullable: true, resolve: (app) => (app.brandColors as BrandColors).accent ?? null }),
    logoUrl: t.exposeString('logoUrl', { nullable: true }),
    allowedOrigins: t.exposeStringList('allowedOrigins', {
      description: "the partner site's origins (scheme://host[:port]); the gateway answers cross-origin calls from them",
    }),
    allowedOrganizationIds: t.exposeIDList('allowedOrganizationIds'),
    allowedCategories: t.exposeStringList('allowedCategories'),
    allowedVisibilities: t.exposeStringList('allowedVisibilities'),
  }),
});

PartnerAppRef.implement({
  description: 'A partner application of an organisation: its keys, its white-label configuration, its trusted operations.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    whiteLabel: t.field({ type: WhiteLabelRef, resolve: (app) => app }),
    trustedDocumentsOnly: t.exposeBoolean('trustedDocumentsOnly'),
    trustedDocumentHashes: t.stringList({
      resolve: async (app, _args, ctx) =>
        (await ctx.db.trustedDocument.findMany({ where: { partnerAppId: app.id }, select: { sha256: true } })).map(
          (d) => d.sha256,
        ),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

/** How a partner site looks: what a partner's own API key reads to brand its pages. */
const PartnerBrandingRef = builder.objectRef<PartnerApp>('PartnerBranding').implement({
  description: "A partner app's brand, as its site shows it.",
  fields: (t) => ({
    partnerAppId: t.exposeID('id'),
    appName: t.exposeString('name'),
    brandName: t.exposeString('brandName'),
    primaryColor: t.string({ nullable: true, resolve: (app) => (app.brandColors as BrandColors).primary ?? null }),
    accentColor: t.string({ nullable: true, resolve: (app) => (app.brandColors as BrandColors).accent ?? null }),
    logoUrl: t.exposeString('logoUrl', { nullable: true }),
  }),
});

builder.queryFields((t) => ({
  partnerBranding: t.field({
    type: PartnerBrandingRef,
    description: "The calling API key's partner app brand (name, colours, logo); only a partner app's key has one.",
    resolve: async (_root, _args, ctx) => {
      const partnerAppId = ctx.principal.partnerAppId;
      if (ctx.principal.kind !== 'apiKey' || !partnerAppId)
        throw new DomainError(ErrorCode.FORBIDDEN, "only a partner app's API key has a brand; call with the partner's key");
      const app = await ctx.db.partnerApp.findUnique({ where: { id: partnerAppId } });
      if (!app) throw notFound('PartnerApp', partnerAppId);
      return app;
    },
  }),
  partnerApps: t.field({
    type: [PartnerAppRef],
    args: { organizationId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => {
      const organizationId = parseId('organizationId', args.organizationId);
      requirePermission(ctx.principal, 'integrations.manage', organizationId);
      return ctx.db.partnerApp.findMany({ where: { organizationId }, orderBy: { createdAt: 'asc' } });
    },
  }),
}));

const WhiteLabelInput = builder.inputType('WhiteLabelInput', {
  fields: (t) => ({
    brandName: t.string({ required: true }),
    primaryColor: t.string(),
    accentColor: t.string(),
    logoUrl: t.string({ description: 'an https URL or a data: image (png, jpeg, gif, webp, svg) of at most 64 KiB' }),
    allowedOrigins: t.stringList({
      description:
        'origins of the partner site, e.g. https://events.example.com (https, or http://localhost); no paths or wildcards',
    }),
    allowedOrganizationIds: t.idList({ description: 'whose events the partner may show; empty: only its own organisation' }),
    allowedCategories: t.stringList({ description: 'empty: all categories' }),
    allowedVisibilities: t.stringList({ description: 'PUBLIC, UNLISTED, PRIVATE, FRIENDS; default PUBLIC' }),
  }),
});

function whiteLabelData(input: typeof WhiteLabelInput.$inferInput) {
  for (const [field, color] of [
    ['primaryColor', input.primaryColor],
    ['accentColor', input.accentColor],
  ] as const) {
    if (color && !COLOR.test(color)) throw badInput(`whiteLabel.${field}`, 'must be a #rrggbb colour');
  }
  const visibilities = input.allowedVisibilities ?? ['PUBLIC'];
  const unknown = visibilities.filter((v) => !(VISIBILITIES as readonly string[]).includes(v));
  if (unknown.length) throw badInput('whiteLabel.allowedVisibilities', `unknown: ${unknown.join(', ')}`);
  const origins = checkOrigins(input.allowedOrigins ?? []);
  if (!origins.ok)
    throw badInput(`whiteLabel.allowedOrigins${origins.index === undefined ? '' : `[${origins.index}]`}`, origins.message);
  const logo = input.logoUrl ? checkLogoUrl(input.logoUrl) : undefined;
  if (logo && !logo.ok) throw badInput('whiteLabel.logoUrl', logo.message);
  return {
    brandName: requireText('whiteLabel.brandName', input.brandName, 80),
    brandColors: {
      ...(input.primaryColor ? { primary: input.primaryColor } : {}),
      ...(input.accentColor ? { accent: input.accentColor } : {}),
    },
    allowedOrganizationIds: (input.allowedOrganizationIds ?? []).map((id, i) =>
      parseId(`whiteLabel.allowedOrganizationIds[${i}]`, id),
    ),
    allowedCategories: (input.allowedCategories ?? []).map((c, i) =>
      requireText(`whiteLabel.allowedCategories[${i}]`, c, 60).toLowerCase(),
    ),
    allowedVisibilities: visibilities,
    logoUrl: logo?.value ?? null,
    allowedOrigins: origins.value,
  };
}

/** Registered operations are identified by the sha256 of their exact text, as clients send it. */
export const documentHash = (document: string) => createHash('sha256').update(document).digest('hex');

builder.mutationFields((t) => ({
  createPartnerApp: t.field({
    type: PartnerAppRef,
    args: {
      organizationId: t.arg.id({ required: true }),
      name: t.arg.string({ required: true }),
      whiteLabel: t.arg({ type: WhiteLabelInput, required: true }),
    },
    resolve: (_root, args, ctx) => {
      const organizationId = parseId('organizationId', args.organizationId);
      requirePermission(ctx.principal, 'integrations.manage', organizationId);
      const data = { organizationId, name: requireText('name', args.name, 80), ...whiteLabelData(args.whiteLabel) };
      return ctx.transact(async (tx, announce) => {
        const app = await tx.partnerApp.create({ data });
        await announce('partner_app.changed', { organizationId, partnerAppId: app.id });
        return app;
      });
    },
  }),
  updatePartnerApp: t.field({
    type: PartnerAppRef,
    args: {
      id: t.arg.id({ required: true }),
      whiteLabel: t.arg({ type: WhiteLabelInput }),
      trustedDocumentsOnly: t.arg.boolean(),
    },
    resolve: async (_root, args, ctx) => {
      const app = await managedPartnerApp(ctx, parseId('id', args.id));
      return ctx.transact(async (tx, announce) => {
        const updated = await tx.partnerApp.update({
          where: { id: app.id },
          data: {
            ...(args.whiteLabel ? whiteLabelData(args.whiteLabel) : {}),
            ...(args.trustedDocumentsOnly != null ? { trustedDocumentsOnly: args.trustedDocumentsOnly } : {}),
          },
        });
        await announce('partner_app.changed', { organizationId: app.organizationId, partnerAppId: app.id });
        return updated;
      });
    },
  }),
  registerTrustedDocuments: t.field({
    type: ['String'],
    description: 'Registers operations a partner app may run in trusted-documents mode; returns their sha256 hashes.',
    args: { partnerAppId: t.arg.id({ required: true }), documents: t.arg.stringList({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const app = await managedPartnerApp(ctx, parseId('partnerAppId', args.partnerAppId));
      if (args.documents.length === 0 || args.documents.length > 500)
        throw badInput('documents', 'give between 1 and 500 operations');
      args.documents.forEach((document, i) => {
        try {
          parse(document);
        } catch {
          throw badInput(`documents[${i}]`, 'is not a GraphQL document');
        }
      });
      const rows = args.documents.map((document) => ({ partnerAppId: app.id, sha256: documentHash(document), document }));
      await ctx.transact(async (tx, announce) => {
        await tx.trustedDocument.createMany({ data: rows, skipDuplicates: true });
        await announce('partner_app.changed', { organizationId: app.organizationId, partnerAppId: app.id });
      });
      return rows.map((r) => r.sha256);
    },
  }),
}));
