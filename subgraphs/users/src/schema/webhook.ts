import { randomBytes } from 'node:crypto';
import {
  afterWhere,
  badInput,
  can,
  conflict,
  decodeCursor,
  DomainError,
  encodeCursor,
  notFound,
  pageOf,
  pageSize,
  parseId,
  requirePermission,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import type { UsersContext } from '../context';
import { endpointUrlProblem, eventTypesProblem, normaliseEventTypes, WEBHOOK_TOPICS } from '../domain/webhooks';
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../generated/prisma/client';
import { loadWebhookSettings } from '../webhooks/settings';
import { deliveryBody, wakeWebhookWorker } from '../webhooks/worker';
import { connectionType, pageArgs, pageListSize } from './connection';
import { OrganizationRef } from './organization';
import { PartnerAppRef } from './partner-app';

/*
 * Webhooks: an organisation's endpoints receive its bus events as signed HTTP
 * POSTs (docs/webhooks.md). The fan-out (src/webhooks/fan-out.ts) turns bus
 * events into deliveries; the worker (src/webhooks/worker.ts) sends them.
 * Everything here is the organisation's data: integrations.manage to see or
 * change it; other callers get NOT_FOUND (or FORBIDDEN inside their own
 * organisation), like every other organisation object.
 */

export const WebhookEndpointRef = builder.objectRef<WebhookEndpoint>('WebhookEndpoint');
export const WebhookDeliveryRef = builder.objectRef<WebhookDelivery>('WebhookDelivery');

const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description:
    'PENDING: waiting for its first attempt (or a redelivery by hand); FAILED: the last attempt failed, another is scheduled; SUCCEEDED; DEAD: out of attempts.',
  values: ['PENDING', 'SUCCEEDED', 'FAILED', 'DEAD'] as const,
});

/** The endpoint, if the caller may manage the organisation's integrations; NOT_FOUND for outsiders, FORBIDDEN for members without the right. */
async function managedEndpoint(ctx: UsersContext, field: string, value: string): Promise<WebhookEndpoint> {
  const id = parseId(field, value);
  const endpoint = await ctx.db.webhookEndpoint.findUnique({ where: { id } });
  if (!endpoint || !can(ctx.principal, 'organization.read', endpoint.organizationId)) throw notFound('WebhookEndpoint', id);
  requirePermission(ctx.principal, 'integrations.manage', endpoint.organizationId);
  return endpoint;
}

const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

function parseUrl(field: string, value: string): string {
  const problem = endpointUrlProblem(value, loadWebhookSettings().privateTargets === 'deny');
  if (problem) throw badInput(field, problem);
  return new URL(value.trim()).toString();
}

function parseEventTypes(field: string, values: readonly string[]): string[] {
  const eventTypes = normaliseEventTypes(values);
  const problem = eventTypesProblem(eventTypes);
  if (problem) throw badInput(problem.index >= 0 ? `${field}[${problem.index}]` : field, problem.message);
  return eventTypes;
}

builder.asEntity(WebhookEndpointRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async ({ id }, ctx) => {
    const endpoint = await ctx.db.webhookEndpoint.findUnique({ where: { id } });
    return endpoint && can(ctx.principal, 'integrations.manage', endpoint.organizationId) ? endpoint : null;
  },
});

builder.asEntity(WebhookDeliveryRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async ({ id }, ctx) => {
    const delivery = await ctx.db.webhookDelivery.findUnique({ where: { id }, include: { endpoint: true } });
    return delivery && can(ctx.principal, 'integrations.manage', delivery.endpoint.organizationId) ? delivery : null;
  },
});

const WebhookDeliveryConnectionRef = connectionType('WebhookDelivery', WebhookDeliveryRef);

/** An endpoint's deliveries, newest first: one page of them. */
async function deliveriesOf(
  ctx: UsersContext,
  endpointId: string,
  args: { status?: WebhookDelivery['status'] | null; first?: number | null; after?: string | null },
) {
  const first = pageSize(args.first);
  const after = args.after != null ? decodeCursor(args.after, 'time') : null;
  const where = { endpointId, ...(args.status ? { status: args.status } : {}) };
  const rows = await ctx.db.webhookDelivery.findMany({
    where: after ? { AND: [where, afterWhere('createdAt', after, 'desc')] } : where,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: first + 1,
  });
  return pageOf(rows, first, {
    after: args.after,
    cursorOf: (d) => encodeCursor(d.createdAt, d.id),
    count: () => ctx.db.webhookDelivery.count({ where }),
  });
}

WebhookEndpointRef.implement({
  description:
    "An organisation's HTTP(S) endpoint receiving its bus events, signed with the endpoint's secret. Disabled by itself after failing repeatedly.",
  fields: (t) => ({
    id: t.exposeID('id'),
    organization: t.field({
      type: OrganizationRef,
      resolve: async (e, _args, ctx) => (await ctx.loaders.organization.load(e.organizationId))!,
    }),
    partnerApp: t.field({
      type: PartnerAppRef,
      nullable: true,
      resolve: (e, _args, ctx) =>
        e.partnerAppId ? ctx.db.partnerApp.findFirst({ where: { id: e.partnerAppId, organizationId: e.organizationId } }) : null,
    }),
    url: t.exposeString('url'),
    eventTypes: t.exposeStringList('eventTypes', { description: 'topics or patterns (`event.*`, `*`) from webhookEventTypes' }),
    enabled: t.exposeBoolean('enabled'),
    consecutiveFailures: t.exposeInt('consecutiveFailures', {
      description: 'failed attempts in a row; a success resets it, reaching the limit disables the endpoint',
    }),
    disabledAt: t.expose('disabledAt', {
      type: 'DateTime',
      nullable: true,
      description: 'set when the endpoint disabled itself after failing repeatedly',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveries: t.field({
      type: WebhookDeliveryConnectionRef,
      description: 'newest first',
      args: { status: t.arg({ type: WebhookDeliveryStatusEnum }), ...pageArgs(t.arg) },
      listSize: pageListSize,
      resolve: (e, args, ctx) => deliveriesOf(ctx, e.id, args),
    }),
  }),
});

const WebhookAttemptRef = builder.objectRef<WebhookAttempt>('WebhookAttempt').implement({
  description: 'One HTTP attempt of a delivery.',
  fields: (t) => ({
    id: t.exposeID('id'),
    at: t.expose('at', { type: 'DateTime' }),
    statusCode: t.exposeInt('statusCode', {
      nullable: true,
      description: 'null when no answer came (timeout, refused connection)',
    }),
    error: t.exposeString('error', { nullable: true }),
    durationMs: t.exposeInt('durationMs'),
  }),
});

const isOpen = (d: WebhookDelivery) => d.status === 'PENDING' || d.status === 'FAILED';

WebhookDeliveryRef.implement({
  description: 'One bus event for one endpoint, with every attempt to send it.',
  fields: (t) => ({
    id: t.exposeID('id'),
    endpoint: t.field({
      type: WebhookEndpointRef,
      resolve: async (d, _args, ctx) => (await ctx.db.webhookEndpoint.findUnique({ where: { id: d.endpointId } }))!,
    }),
    eventId: t.exposeID('eventId', {
      description: 'the Eventgraph-Webhook-Id header and the body\'s "id": the same on every attempt',
    }),
    topic: t.exposeString('topic', { description: 'the body\'s "type"' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    body: t.string({ description: 'the JSON body every attempt posts', resolve: (d) => deliveryBody(d) }),
    status: t.field({ type: WebhookDeliveryStatusEnum, resolve: (d) => d.status }),
    attemptCount: t.exposeInt('attempts', { description: 'attempts since the delivery was created or last redelivered by hand' }),
    nextAttemptAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => (isOpen(d) ? d.nextAttemptAt : null) }),
    lastStatusCode: t.exposeInt('lastStatusCode', { nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    attempts: t.field({
      type: [WebhookAttemptRef],
      description: 'every attempt, oldest first',
      resolve: (d, _args, ctx) =>
        ctx.db.webhookAttempt.findMany({ where: { deliveryId: d.id }, orderBy: [{ at: 'asc' }, { id: 'asc' }], take: 500 }),
    }),
  }),
});

interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

const WebhookEndpointSecretRef = builder.objectRef<EndpointWithSecret>('WebhookEndpointSecret').implement({
  description: 'An endpoint and its signing secret: shown this once, store it with the receiver.',
  fields: (t) => ({
    endpoint: t.field({ type: WebhookEndpointRef, resolve: (x) => x.endpoint }),
    secret: t.exposeString('secret', { description: 'verify Eventgraph-Signature with it (docs/webhooks.md)' }),
  }),
});

builder.objectField(OrganizationRef, 'webhookEndpoints', (t) =>
  t.field({
    type: [WebhookEndpointRef],
    description: "the organisation's webhook endpoints; empty unless the caller may manage its integrations",
    resolve: (org, _args, ctx) =>
      can(ctx.principal, 'integrations.manage', org.id)
        ? ctx.db.webhookEndpoint.findMany({ where: { organizationId: org.id }, orderBy: { createdAt: 'asc' } })
        : [],
  }),
);

builder.queryFields((t) => ({
  webhookEventTypes: t.stringList({
    description: 'The topics a webhook endpoint may subscribe to (a prefix with `.*`, or `*`, covers several).',
    resolve: () => [...WEBHOOK_TOPICS],
  }),
  webhookEndpoints: t.field({
    type: [WebhookEndpointRef],
    args: { organizationId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => {
      const organizationId = parseId('organizationId', args.organizationId);
      requirePermission(ctx.principal, 'integrations.manage', organizationId);
      return ctx.db.webhookEndpoint.findMany({ where: { organizationId }, orderBy: { createdAt: 'asc' } });
    },
  }),
  webhookDeliveries: t.field({
    type: WebhookDeliveryConnectionRef,
    description: "An endpoint's deliveries, newest first.",
    args: {
      endpointId: t.arg.id({ required: true }),
      status: t.arg({ type: WebhookDeliveryStatusEnum }),
      ...pageArgs(t.arg),
    },
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      const endpoint = await managedEndpoint(ctx, 'endpointId', args.endpointId);
      return deliveriesOf(ctx, endpoint.id, args);
    },
  }),
}));

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    url: t.string({ required: true, description: 'http:// or https://' }),
    eventTypes: t.stringList({
      required: true,
      description: 'topics or patterns from webhookEventTypes, e.g. ["checkin.recorded", "event.*"]',
    }),
    partnerAppId: t.id({ description: "one of the organisation's partner apps, if the endpoint belongs to it" }),
  }),
});

const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    url: t.string(),
    eventTypes: t.stringList(),
    enabled: t.boolean({ description: 're-enabling resets the failure streak; deliveries still open are sent again' }),
  }),
});

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: WebhookEndpointSecretRef,
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const organizationId = parseId('organizationId', input.organizationId);
      requirePermission(ctx.principal, 'integrations.manage', organizationId);
      const url = parseUrl('url', input.url);
      const eventTypes = parseEventTypes('eventTypes', input.eventTypes);
      let partnerAppId: string | null = null;
      if (input.partnerAppId) {
        partnerAppId = parseId('partnerAppId', input.partnerAppId);
        const app = await ctx.db.partnerApp.findUnique({ where: { id: partnerAppId } });
        if (!app || app.organizationId !== organizationId)
          throw new DomainError('NOT_FOUND', `PartnerApp ${partnerAppId} was not found in this organisation`, {
            field: 'partnerAppId',
          });
      }
      if (!(await ctx.loaders.organization.load(organizationId))) throw notFound('Organization', organizationId);
      const secret = newWebhookSecret();
      const endpoint = await ctx.transact(async (tx, announce) => {
        const created = await tx.webhookEndpoint.create({ data: { organizationId, partnerAppId, url, eventTypes, secret } });
        await announce('webhook.endpoint_created', { organizationId, endpointId: created.id });
        return created;
      });
      return { endpoint, secret };
    },
  }),

  updateWebhookEndpoint: t.field({
    type: WebhookEndpointRef,
    args: { input: t.arg({ type: UpdateWebhookEndpointInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const endpoint = await managedEndpoint(ctx, 'id', input.id);
      const data: Partial<WebhookEndpoint> = {};
      if (input.url != null) data.url = parseUrl('url', input.url);
      if (input.eventTypes != null) data.eventTypes = parseEventTypes('eventTypes', input.eventTypes);
      if (input.enabled === true && !endpoint.enabled)
        Object.assign(data, { enabled: true, consecutiveFailures: 0, disabledAt: null });
      if (input.enabled === false && endpoint.enabled) Object.assign(data, { enabled: false, disabledAt: null });
      const updated = await ctx.db.webhookEndpoint.update({ where: { id: endpoint.id }, data });
      if (data.enabled) wakeWebhookWorker(ctx.db);
      return updated;
    },
  }),

  rotateWebhookSecret: t.field({
    type: WebhookEndpointSecretRef,
    description:
      'A new signing secret, shown once. For a while (a day by default) deliveries carry a signature with the old secret too, so receivers can switch over.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const endpoint = await managedEndpoint(ctx, 'id', args.id);
      const secret = newWebhookSecret();
      const overlapMs = loadWebhookSettings().secretOverlapMs;
      const updated = await ctx.db.webhookEndpoint.update({
        where: { id: endpoint.id },
        data: {
          secret,
          previousSecret: overlapMs > 0 ? endpoint.secret : null,
          previousSecretExpiresAt: overlapMs > 0 ? new Date(Date.now() + overlapMs) : null,
        },
      });
      return { endpoint: updated, secret };
    },
  }),

  deleteWebhookEndpoint: t.field({
    type: 'Boolean',
    description: 'Deletes the endpoint with its deliveries; nothing more is sent to it.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const endpoint = await managedEndpoint(ctx, 'id', args.id);
      await ctx.transact(async (tx, announce) => {
        await tx.webhookEndpoint.delete({ where: { id: endpoint.id } });
        await announce('webhook.endpoint_deleted', { organizationId: endpoint.organizationId, endpointId: endpoint.id });
      });
      return true;
    },
  }),

  redeliverWebhook: t.field({
    type: WebhookDeliveryRef,
    description:
      'Sends a delivery again now, whatever its status (DEAD included), with a fresh retry budget. The body and its id stay the same.',
    args: { deliveryId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = parseId('deliveryId', args.deliveryId);
      const delivery = await ctx.db.webhookDelivery.findUnique({ where: { id }, include: { endpoint: true } });
      if (!delivery || !can(ctx.principal, 'organization.read', delivery.endpoint.organizationId))
        throw notFound('WebhookDelivery', id);
      requirePermission(ctx.principal, 'integrations.manage', delivery.endpoint.organizationId);
      if (!delivery.endpoint.enabled)
        throw new DomainError('ENDPOINT_DISABLED', 'the endpoint is disabled; enable it with updateWebhookEndpoint first');
      // not while a worker is sending it: its outcome would overwrite this
      const { count } = await ctx.db.webhookDelivery.updateMany({
        where: { id, OR: [{ leaseUntil: null }, { leaseUntil: { lt: new Date() } }] },
        data: { status: 'PENDING', attempts: 0, nextAttemptAt: new Date(), leaseUntil: null, leaseToken: null },
      });
      if (count !== 1) throw conflict('this delivery is being sent right now; look at its attempts in a moment');
      wakeWebhookWorker(ctx.db);
      return (await ctx.db.webhookDelivery.findUnique({ where: { id } }))!;
    },
  }),
}));
