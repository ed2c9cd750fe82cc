import { randomUUID } from 'node:crypto';
import {
  badInput,
  DomainError,
  ErrorCode,
  isPlatformService,
  notFound,
  parseId,
  requirePermission,
  requireText,
} from '@eventgraph/runtime';
import type { IngestContext } from '../context';
import {
  newPushSecret,
  openCredentials,
  parseCredentials,
  rotatePushSecret,
  sealCredentials,
  type PushSecret,
} from '../credentials';
import { readableEvent } from '../known-events';
import { secretBox } from '../pipeline';
import { requestRun, wakeRunQueue } from '../queue';
import { FETCHED_KINDS, sourceSettingsProblems, type SourceSettings } from '../domain/source-settings';
import type { SourceKind } from '../domain/records';
import type { Prisma, Source } from '../generated/prisma/client';
import { requireSourceOperator } from '../visibility';
import { builder } from '../builder';
import { SourceKindEnum, SourceRef, TrustLevelEnum, visibleSource } from './source';

const CredentialsInput = builder.inputType('SourceCredentialsInput', {
  description:
    'How the source is fetched: API_KEY (header + value), BASIC (username + password) or BEARER (token). Stored encrypted, never returned.',
  fields: (t) => ({
    kind: t.string({ required: true }),
    header: t.string(),
    value: t.string(),
    username: t.string(),
    password: t.string(),
    token: t.string(),
  }),
});

const settingFields = (t: Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0]) => ({
  url: t.string({ description: 'required for RSS, JSON and HTML; optional for ICAL (else uploaded); none for CSV and WEBHOOK' }),
  config: t.field({
    type: 'JSONObject',
    description: 'field mapping (JSON, CSV, WEBHOOK), selectors (HTML), defaultTimeZone (ICAL, RSS)',
  }),
  scheduleSeconds: t.int({ description: 'between scheduled runs (60 s to 30 days); 0 runs only when asked' }),
  priority: t.int({ description: '-100..100: due sources with a higher priority run first' }),
  trust: t.field({ type: TrustLevelEnum, description: 'above STANDARD: platform staff only' }),
  requestsPerMinute: t.int({ description: '1..600 (default 60)' }),
  active: t.boolean(),
  autoApproveQuality: t.float({
    description: '0..1: auto-approve at this quality (platform staff only); null: moderators approve',
  }),
  credentials: t.field({ type: CredentialsInput }),
});

const CreateSourceInput = builder.inputType('CreateSourceInput', {
  fields: (t) => ({
    organizationId: t.id({
      description: 'the organisation that registers the source; none for platform-wide sources (platform staff)',
    }),
    name: t.string({ required: true }),
    kind: t.field({ type: SourceKindEnum, required: true }),
    ...settingFields(t),
  }),
});

const UpdateSourceInput = builder.inputType('UpdateSourceInput', {
  fields: (t) => ({
    name: t.string(),
    clearCredentials: t.boolean({ description: 'forget the stored credentials' }),
    ...settingFields(t),
  }),
});

type SettingsInput = {
  url?: string | null;
  config?: Record<string, unknown> | null;
  scheduleSeconds?: number | null;
  priority?: number | null;
  trust?: Source['trust'] | null;
  requestsPerMinute?: number | null;
  active?: boolean | null;
  autoApproveQuality?: number | null;
};

/** What only the platform may decide: trust above STANDARD, and publishing without a moderator. */
function requirePlatformFor(ctx: IngestContext, input: SettingsInput, current?: Source): void {
  if (isPlatformService(ctx.principal)) return;
  if (input.trust && (input.trust === 'TRUSTED' || input.trust === 'OFFICIAL') && input.trust !== current?.trust)
    throw new DomainError(ErrorCode.FORBIDDEN, 'trust above STANDARD is given by the platform', { field: 'trust' });
  if (input.autoApproveQuality !== undefined && input.autoApproveQuality !== (current?.autoApproveQuality ?? null))
    throw new DomainError(ErrorCode.FORBIDDEN, 'auto-approval publishes without a moderator: set by the platform', {
      field: 'autoApproveQuality',
    });
}

/** The settings after `input`, checked by the domain's rules (BAD_USER_INPUT naming the first field at fault). */
function settledSettings(kind: SourceKind, input: SettingsInput, current?: Source): SourceSettings & { active: boolean } {
  const settings = {
    kind,
    url: input.url === undefined ? (current?.url ?? null) : input.url === null ? null : input.url.trim(),
    config: input.config ?? current?.config ?? {},
    scheduleSeconds: input.scheduleSeconds ?? current?.scheduleSeconds ?? (FETCHED_KINDS.has(kind) ? 3600 : 0),
    priority: input.priority ?? current?.priority ?? 0,
    requestsPerMinute: input.requestsPerMinute ?? current?.requestsPerMinute ?? 60,
    autoApproveQuality: input.autoApproveQuality === undefined ? (current?.autoApproveQuality ?? null) : input.autoApproveQuality,
    active: input.active ?? current?.active ?? true,
  };
  const [problem] = sourceSettingsProblems(settings);
  if (problem) throw badInput(problem.field, problem.message);
  return settings;
}

/** A scheduled source runs soon after it is created or switched on; one run on demand does not. */
const firstRunAt = (settings: SourceSettings & { active: boolean }) =>
  settings.active && settings.url && settings.scheduleSeconds > 0 ? new Date() : null;

async function operableSource(ctx: IngestContext, id: string): Promise<Source> {
  const source = await visibleSource(ctx, id);
  if (!source) throw notFound('Source', id);
  requireSourceOperator(ctx.principal, source);
  return source;
}

const AttributeEventInput = builder.inputType('AttributeEventInput', {
  fields: (t) => ({
    sourceId: t.id({ required: true }),
    eventId: t.id({ required: true }),
    externalId: t.string({ required: true, description: "the record's id in the source (an iCal UID, an RSS guid)" }),
  }),
});

const PushSecretRef = builder
  .objectRef<{ source: Source; secret: string; previousValidUntil: Date | null }>('PushSecret')
  .implement({
    description:
      'A WEBHOOK source’s signing secret, shown this once. Sign each push: X-Eventgraph-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">.',
    fields: (t) => ({
      source: t.field({ type: SourceRef, resolve: (p) => p.source }),
      secret: t.exposeString('secret'),
      previousValidUntil: t.expose('previousValidUntil', {
        type: 'DateTime',
        nullable: true,
        description: 'the old secret is accepted until then',
      }),
    }),
  });

builder.mutationFields((t) => ({
  createSource: t.field({
    type: SourceRef,
    description: 'Registers a source. WEBHOOK sources get their signing secret from rotatePushSecret.',
    args: { input: t.arg({ type: CreateSourceInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const organizationId = input.organizationId ? parseId('organizationId', input.organizationId) : null;
      if (organizationId) requirePermission(ctx.principal, 'integrations.manage', organizationId);
      else if (!isPlatformService(ctx.principal))
        throw new DomainError(ErrorCode.FORBIDDEN, 'platform-wide sources are registered by the platform; give organizationId');
      requirePlatformFor(ctx, input);
      const settings = settledSettings(input.kind, input);
      const id = randomUUID();
      const credentials = input.credentials ? parseCredentials(input.credentials) : null;
      const data: Prisma.SourceUncheckedCreateInput = {
        id,
        organizationId,
        name: requireText('name', input.name),
        ...settings,
        config: settings.config as Prisma.InputJsonValue,
        trust: input.trust ?? 'STANDARD',
        nextRunAt: firstRunAt(settings),
        credentials: credentials ? sealCredentials(secretBox(ctx.log), credentials, id) : null,
        credentialKind: credentials?.kind ?? null,
      };
      return ctx
        .transact(async (tx, announce) => {
          const source = await tx.source.create({ data });
          await announce('source.created', { sourceId: source.id });
          return source;
        })
        .finally(wakeRunQueue);
    },
  }),

  updateSource: t.field({
    type: SourceRef,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateSourceInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const current = await operableSource(ctx, parseId('id', args.id));
      const { input } = args;
      requirePlatformFor(ctx, input, current);
      const settings = settledSettings(current.kind, input, current);
      const credentials = input.credentials ? parseCredentials(input.credentials) : null;
      const switchedOn = settings.active && !current.active;
      const updated = await ctx.db.source.update({
        where: { id: current.id },
        data: {
          ...(input.name != null ? { name: requireText('name', input.name) } : {}),
          ...settings,
          config: settings.config as Prisma.InputJsonValue,
          ...(input.trust ? { trust: input.trust } : {}),
          // a new schedule or a source switched back on runs soon; switched off, it is not due
          ...(input.scheduleSeconds != null || switchedOn || !settings.active ? { nextRunAt: firstRunAt(settings) } : {}),
          ...(credentials
            ? { credentials: sealCredentials(secretBox(ctx.log), credentials, current.id), credentialKind: credentials.kind }
            : input.clearCredentials
              ? { credentials: null, credentialKind: null }
              : {}),
          // new credentials or a new address: the old validators say nothing about the new answer
          ...(credentials || input.url !== undefined ? { etag: null, lastModified: null } : {}),
        },
      });
      ctx.loaders.source.clear(current.id);
      wakeRunQueue();
      return updated;
    },
  }),

  runSourceNow: t.field({
    type: SourceRef,
    description:
      'Asks for a run of a fetched source as soon as a worker is free (follow it with fetchRunProgress). A source already running is not run twice.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const source = await operableSource(ctx, parseId('id', args.id));
      if (!source.url || !FETCHED_KINDS.has(source.kind as SourceKind))
        throw new DomainError('SOURCE_NOT_FETCHED', `a ${source.kind} source without a URL is uploaded or pushed, not fetched`, {
          field: 'id',
        });
      if (!source.active)
        throw new DomainError('SOURCE_INACTIVE', 'the source is switched off; activate it first', { field: 'id' });
      await requestRun(ctx.sql, source.id);
      wakeRunQueue();
      ctx.loaders.source.clear(source.id);
      return (await ctx.loaders.source.load(source.id))!;
    },
  }),

  rotatePushSecret: t.field({
    type: PushSecretRef,
    description:
      'Gives a WEBHOOK source a new signing secret, shown once; the previous one is still accepted for overlapSeconds (default 86,400).',
    args: { sourceId: t.arg.id({ required: true }), overlapSeconds: t.arg.int({ defaultValue: 86_400 }) },
    resolve: async (_root, args, ctx) => {
      const source = await operableSource(ctx, parseId('sourceId', args.sourceId));
      if (source.kind !== 'WEBHOOK') throw badInput('sourceId', 'only WEBHOOK sources are pushed to');
      const overlapSeconds = args.overlapSeconds ?? 86_400;
      if (!Number.isSafeInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > 30 * 86_400)
        throw badInput('overlapSeconds', 'must be from 0 to 30 days in seconds');
      const box = secretBox(ctx.log);
      const opened = source.credentials ? openCredentials(box, source.credentials, source.id) : null;
      const current = opened?.kind === 'WEBHOOK_SECRET' ? (opened as PushSecret) : null;
      const secret = newPushSecret();
      const rotated = rotatePushSecret(current, secret, new Date(), overlapSeconds * 1000);
      const updated = await ctx.db.source.update({
        where: { id: source.id },
        data: { credentials: sealCredentials(box, rotated, source.id), credentialKind: 'WEBHOOK_SECRET' },
      });
      return { source: updated, secret, previousValidUntil: rotated.previous ? new Date(rotated.previous.until) : null };
    },
  }),

  attributeEvent: t.field({
    type: SourceRef,
    description:
      'Records that an event came from a record of this source; the event must be one the caller may read (NOT_FOUND otherwise).',
    args: { input: t.arg({ type: AttributeEventInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const sourceId = parseId('sourceId', input.sourceId);
      const eventId = parseId('eventId', input.eventId);
      const externalId = requireText('externalId', input.externalId, 500);
      const source = await operableSource(ctx, sourceId);
      // an event the caller may not read is as unknown as one that does not exist
      await readableEvent(ctx, eventId);
      await ctx.db.sourceEvent.upsert({
        where: { sourceId_externalId: { sourceId, externalId } },
        create: { sourceId, eventId, externalId },
        update: { eventId },
      });
      return source;
    },
  }),
}));
