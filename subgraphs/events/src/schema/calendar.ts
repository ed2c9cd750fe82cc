import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  ANONYMOUS,
  badInput,
  DomainError,
  ErrorCode,
  parseId,
  readableOrganizations,
  requirePermission,
  type Principal,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import { renderCalendar, type CalendarEvent } from '../calendar';
import { PUBLIC_STATUSES } from '../domain/event-lifecycle';
import type { Event, Prisma, Venue } from '../generated/prisma/client';
import { canSeeEvent, listedEventsWhere, notReplacedWhere, userOf } from '../visibility';
import type { EventsContext } from '../context';
import { savedSearchFilter } from './saved-search';
import { searchIds } from './search';

/**
 * Calendar feeds (iCalendar). The gateway serves them at GET /calendar/… and asks for the text here through
 * `_calendarFeed` (@inaccessible: not part of the public API), signing the principal the feed is for:
 * anonymous for public feeds, the token's user with their memberships as of now for private ones. Visibility
 * is therefore the same rule as everywhere else (`visibility.ts`); what feeds add:
 * - drafts are never in a feed;
 * - an archived event that was published once stays in the feeds that showed it, as STATUS:CANCELLED, so
 *   subscribed calendars drop it;
 * - only events that ended less than FEED_PAST_DAYS ago, at most FEED_MAX_EVENTS.
 * A saved search's feed (kind SEARCH) is what the search finds for an anonymous caller, whoever asks: the
 * owner's own non-public events never leave through a URL a calendar app fetches without credentials.
 */

const FEED_PAST_DAYS = 180;
const FEED_MAX_EVENTS = 1000;
export const FEED_TOKEN_PREFIX = 'egc_';
const FEED_TOKEN = /^egc_[A-Za-z0-9_-]{43}$/;

type EventWithVenue = Event & { venue: Venue | null };

/** Where a calendar puts an event: its venue, or a user event's own place and zone. */
const placeOf = (e: EventWithVenue): CalendarEvent['venue'] =>
  e.venue ?? { name: e.locationName ?? '', timeZone: e.timeZone ?? 'UTC', latitude: e.latitude, longitude: e.longitude };

const toCalendarEvent = (e: EventWithVenue): CalendarEvent => ({
  id: e.id,
  title: e.title,
  description: e.description,
  startsAt: e.startsAt,
  endsAt: e.endsAt,
  allDay: e.allDay,
  status: e.status,
  categories: e.categories,
  sequence: e.sequence,
  url: e.externalUrl ?? e.ticketUrl,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
  venue: placeOf(e),
});

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The token of a feed row: derived, so its owner can be shown it again; only its hash is stored. */
function deriveToken(secret: string, row: { id: string; nonce: string }): string {
  return FEED_TOKEN_PREFIX + createHmac('sha256', secret).update(`calendar-feed:${row.id}:${row.nonce}`).digest('base64url');
}

/** Events of `scope` for a list feed: live ones the principal may list, plus cancelled ones it could have listed. */
async function listFeedEvents(
  ctx: EventsContext,
  principal: Principal,
  scope: Prisma.EventWhereInput,
): Promise<EventWithVenue[]> {
  const recent: Prisma.EventWhereInput = { endsAt: { gte: new Date(Date.now() - FEED_PAST_DAYS * 86_400_000) } };
  const readable = readableOrganizations(principal);
  const live = await ctx.db.event.findMany({
    where: { AND: [scope, recent, { status: { in: [...PUBLIC_STATUSES] } }, listedEventsWhere(principal)] },
    include: { venue: true },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    take: FEED_MAX_EVENTS,
  });
  const archived = await ctx.db.event.findMany({
    where: {
      AND: [
        scope,
        recent,
        { status: 'ARCHIVED' },
        readable === 'all' ? {} : { OR: [{ visibility: 'PUBLIC' }, { organizationId: { in: readable } }] },
        notReplacedWhere(principal),
      ],
    },
    include: { venue: true },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    take: FEED_MAX_EVENTS,
  });
  const published = await publishedOnce(
    ctx,
    archived.map((e) => e.id),
  );
  return [...live, ...archived.filter((e) => published.has(e.id))]
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.id.localeCompare(b.id))
    .slice(0, FEED_MAX_EVENTS);
}

/**
 * A saved search's matches for the anonymous public (published PUBLIC events), soonest first, within the
 * feeds' window and cap. An event that stops matching (or is archived) simply leaves the feed.
 */
async function searchFeedEvents(ctx: EventsContext, saved: Parameters<typeof savedSearchFilter>[0]): Promise<EventWithVenue[]> {
  let filter;
  try {
    filter = savedSearchFilter(saved);
  } catch (err) {
    if (err instanceof DomainError) return []; // validated when saved; a rule that no longer holds shows nothing
    throw err;
  }
  const recent = new Date(Date.now() - FEED_PAST_DAYS * 86_400_000);
  // the search's `from` means "ends after": the same test as the feeds' window
  const from = filter.from && filter.from > recent ? filter.from : recent;
  if (filter.to && filter.to <= from) return [];
  const ids = await searchIds(ctx, ANONYMOUS, { ...filter, from }, FEED_MAX_EVENTS);
  if (ids.length === 0) return [];
  const events = await ctx.db.event.findMany({ where: { id: { in: ids } }, include: { venue: true } });
  const byId = new Map(events.map((e) => [e.id, e]));
  return ids.map((i) => byId.get(i)).filter((e): e is EventWithVenue => e != null);
}

/**
 * A user's view of an organisation's feed: their own events that stand in for the organisation's events (which
 * listFeedEvents has left out) join it, so their calendar shows their version. Drafts stay out, as everywhere.
 */
async function withOwnStandIns(
  ctx: EventsContext,
  principal: Principal,
  organizationId: string,
  events: EventWithVenue[],
): Promise<EventWithVenue[]> {
  const me = userOf(principal);
  if (!me) return events;
  const own = await ctx.db.event.findMany({
    where: {
      ownerUserId: me,
      status: { in: [...PUBLIC_STATUSES] },
      replaces: { some: { publicEvent: { organizationId } } },
    },
    include: { venue: true },
  });
  return [...events, ...own.filter((o) => !events.some((e) => e.id === o.id))]
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.id.localeCompare(b.id))
    .slice(0, FEED_MAX_EVENTS);
}

async function publishedOnce(ctx: EventsContext, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await ctx.db.calendarPublishedEvent.findMany({ where: { eventId: { in: ids } }, select: { eventId: true } });
  return new Set(rows.map((r) => r.eventId));
}

interface CalendarDocument {
  ics: string;
  filename: string;
}

const CalendarDocumentRef = builder.objectRef<CalendarDocument>('CalendarDocument').implement({
  inaccessible: true,
  fields: (t) => ({
    ics: t.exposeString('ics'),
    filename: t.exposeString('filename'),
  }),
});

interface FeedOwner {
  userId: string;
  organizationId: string;
}

const CalendarFeedOwnerRef = builder.objectRef<FeedOwner>('CalendarFeedOwner').implement({
  inaccessible: true,
  fields: (t) => ({ userId: t.exposeID('userId'), organizationId: t.exposeID('organizationId') }),
});

interface FeedUrl {
  organizationId: string;
  token: string;
  createdAt: Date;
}

const CalendarFeedUrlRef = builder.objectRef<FeedUrl>('CalendarFeedUrl').implement({
  description:
    "A private calendar feed of one organisation for the calling user: its public events and the ones the user may read as a member. Subscribe a calendar to the gateway's origin + `path`; anyone holding the URL sees the feed, so regenerate it if it leaks.",
  fields: (t) => ({
    organizationId: t.exposeID('organizationId'),
    path: t.string({
      description: 'relative to the gateway, e.g. /calendar/private/egc_….ics',
      resolve: (f) => `/calendar/private/${f.token}.ics`,
    }),
    token: t.exposeString('token'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

async function feedDocument(ctx: EventsContext, kind: string, id: string): Promise<CalendarDocument | null> {
  const principal = ctx.principal;
  switch (kind) {
    case 'EVENT': {
      const event = await ctx.db.event.findUnique({ where: { id: parseId('id', id) }, include: { venue: true } });
      if (!event || event.status === 'DRAFT') return null;
      if (event.status === 'ARCHIVED') {
        const shown = { ...event, status: 'PUBLISHED' }; // could the principal have seen it before it was archived?
        if (!canSeeEvent(principal, shown, { direct: true }) || !(await publishedOnce(ctx, [event.id])).has(event.id))
          return null;
      } else if (!canSeeEvent(principal, event, { direct: true })) return null;
      return {
        ics: renderCalendar({ name: event.title, events: [toCalendarEvent(event)], timeZones: [placeOf(event).timeZone] }),
        filename: `${event.slug}.ics`,
      };
    }
    case 'VENUE': {
      const venue = await ctx.db.venue.findUnique({ where: { id: parseId('id', id) } });
      if (!venue) return null;
      const events = await listFeedEvents(ctx, principal, { venueId: venue.id });
      return {
        ics: renderCalendar({ name: venue.name, events: events.map(toCalendarEvent), timeZones: [venue.timeZone] }),
        filename: `${venue.slug}.ics`,
      };
    }
    case 'ORGANIZATION': {
      const organizationId = parseId('id', id);
      // the events subgraph knows an organisation by its venues; one without any has no feed
      const venues = await ctx.db.venue.findMany({ where: { organizationId }, orderBy: { createdAt: 'asc' } });
      if (venues.length === 0) return null;
      const events = await listFeedEvents(ctx, principal, { organizationId });
      return {
        ics: renderCalendar({
          name: `Events at ${venues.map((v) => v.name).join(', ')}`.slice(0, 200),
          events: events.map(toCalendarEvent),
        }),
        filename: `organization-${organizationId}.ics`,
      };
    }
    case 'PRIVATE': {
      if (!FEED_TOKEN.test(id)) throw badInput('id', 'not a calendar feed token');
      const row = await ctx.db.calendarFeedToken.findUnique({ where: { secretHash: hashToken(id) } });
      // the gateway signs the token's user with their memberships as of this request
      if (!row || principal.kind !== 'user' || principal.id !== row.userId) return null;
      const venues = await ctx.db.venue.findMany({
        where: { organizationId: row.organizationId },
        orderBy: { createdAt: 'asc' },
      });
      const events = await withOwnStandIns(
        ctx,
        principal,
        row.organizationId,
        await listFeedEvents(ctx, principal, { organizationId: row.organizationId }),
      );
      return {
        ics: renderCalendar({
          name: `Events at ${venues.map((v) => v.name).join(', ') || 'your organisation'} (private)`.slice(0, 200),
          events: events.map(toCalendarEvent),
        }),
        filename: `private-${row.organizationId}.ics`,
      };
    }
    case 'SEARCH': {
      const saved = await ctx.db.savedSearch.findUnique({ where: { id: parseId('id', id) } });
      if (!saved) return null;
      return {
        ics: renderCalendar({ name: saved.name, events: (await searchFeedEvents(ctx, saved)).map(toCalendarEvent) }),
        filename: `search-${saved.id}.ics`,
      };
    }
    default:
      throw badInput('kind', 'one of ORGANIZATION, VENUE, EVENT, PRIVATE, SEARCH');
  }
}

function requireGateway(principal: Principal): void {
  if (principal.kind !== 'service' || principal.id !== 'gateway')
    throw new DomainError(ErrorCode.FORBIDDEN, 'only the gateway resolves calendar feed tokens');
}

function requireMember(principal: Principal, organizationId: string): string {
  requirePermission(principal, 'organization.read', organizationId);
  if (principal.kind !== 'user' || !principal.id)
    throw new DomainError(ErrorCode.FORBIDDEN, 'private calendar feeds belong to users');
  return principal.id;
}

builder.queryFields((t) => ({
  _calendarFeed: t.field({
    type: CalendarDocumentRef,
    nullable: true,
    inaccessible: true,
    description: 'the iCalendar text of a feed as the signed principal may see it; null when there is no such feed',
    args: { kind: t.arg.string({ required: true }), id: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => feedDocument(ctx, args.kind, args.id),
  }),
  _calendarFeedOwner: t.field({
    type: CalendarFeedOwnerRef,
    nullable: true,
    inaccessible: true,
    args: { token: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireGateway(ctx.principal);
      if (!FEED_TOKEN.test(args.token)) return null;
      const row = await ctx.db.calendarFeedToken.findUnique({ where: { secretHash: hashToken(args.token) } });
      return row && { userId: row.userId, organizationId: row.organizationId };
    },
  }),
}));

builder.mutationFields((t) => ({
  calendarFeedUrl: t.field({
    type: CalendarFeedUrlRef,
    description:
      "The calling user's private calendar feed of an organisation (organization.read), created on first use; the same URL until regenerated.",
    args: { organizationId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const organizationId = parseId('organizationId', args.organizationId);
      const userId = requireMember(ctx.principal, organizationId);
      const secret = ctx.settings.EVENTGRAPH_PRINCIPAL_SECRET;
      const existing = await ctx.db.calendarFeedToken.findUnique({
        where: { userId_organizationId: { userId, organizationId } },
      });
      if (existing) {
        const token = deriveToken(secret, existing);
        // a rotated platform secret derives another token: store its hash, so the URL shown works
        if (hashToken(token) !== existing.secretHash)
          await ctx.db.calendarFeedToken.update({ where: { id: existing.id }, data: { secretHash: hashToken(token) } });
        return { organizationId, token, createdAt: existing.createdAt };
      }
      const id = crypto.randomUUID();
      const nonce = randomBytes(16).toString('base64url');
      const token = deriveToken(secret, { id, nonce });
      try {
        const row = await ctx.db.calendarFeedToken.create({
          data: { id, userId, organizationId, nonce, secretHash: hashToken(token) },
        });
        return { organizationId, token, createdAt: row.createdAt };
      } catch (err) {
        if ((err as { code?: string }).code !== 'P2002') throw err;
        throw new DomainError('CONFLICT', 'the feed was created concurrently; ask again');
      }
    },
  }),
  regenerateCalendarFeedUrl: t.field({
    type: CalendarFeedUrlRef,
    description: "Replaces the calling user's private feed URL of an organisation; the old URL answers 404 at once.",
    args: { organizationId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const organizationId = parseId('organizationId', args.organizationId);
      const userId = requireMember(ctx.principal, organizationId);
      const id = crypto.randomUUID();
      const nonce = randomBytes(16).toString('base64url');
      const token = deriveToken(ctx.settings.EVENTGRAPH_PRINCIPAL_SECRET, { id, nonce });
      const row = await ctx.db.$transaction(async (tx) => {
        await tx.calendarFeedToken.deleteMany({ where: { userId, organizationId } });
        return tx.calendarFeedToken.create({ data: { id, userId, organizationId, nonce, secretHash: hashToken(token) } });
      });
      return { organizationId, token, createdAt: row.createdAt };
    },
  }),
}));
