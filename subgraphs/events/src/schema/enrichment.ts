import { DomainError, ErrorCode, notFound, parseId, requireAuthenticated, type Principal } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { EventsContext } from '../context';
import { AVAILABILITIES, ENRICH_SCOPE, enrichableProblem, enrichmentProblems, type EnrichmentInput } from '../domain/enrichment';
import type { Problem } from '../domain/event-details';
import type { Event, EventEnrichment } from '../generated/prisma/client';
import { canSeeEvent } from '../visibility';
import { EventRef } from './event';
import { OrganizationRef } from './organization';

/**
 * Layer-2 enrichment: a partner app (an API key with the scope events:enrich) attaches ticketing, prices and
 * availability to a Layer-1 event. Each partner's enrichment is its own record beside the event's facts
 * (`Event.enrichments`), attributed to its partner app, and never written over the event's own fields.
 */

export const TicketAvailabilityEnum = builder.enumType('TicketAvailability', { values: AVAILABILITIES });

const EnrichmentPriceRef = builder.objectRef<EventEnrichment>('EnrichmentPrice').implement({
  description: 'Prices in minor units (cents) of the currency.',
  fields: (t) => ({
    min: t.exposeInt('priceMin', { nullable: true }),
    max: t.exposeInt('priceMax', { nullable: true }),
    currency: t.exposeString('currency', { nullable: true }),
  }),
});

export const EventEnrichmentRef = builder.objectRef<EventEnrichment>('EventEnrichment').implement({
  description: "A partner app's ticketing for an event, shown with its attribution beside the event's own facts.",
  fields: (t) => ({
    // users' PartnerApp is not an entity (no @key) yet, so the app is named by id; its organisation resolves
    partnerAppId: t.exposeID('partnerAppId', { description: 'the partner app that says so' }),
    partnerOrganization: t.field({
      type: OrganizationRef,
      nullable: true,
      description: 'the organisation running that partner app (attribution: the gateway resolves its name)',
      resolve: (e) => ({ id: e.organizationId }),
    }),
    ticketUrl: t.exposeString('ticketUrl', { nullable: true }),
    price: t.field({
      type: EnrichmentPriceRef,
      nullable: true,
      resolve: (e) => (e.priceMin == null && e.priceMax == null ? null : e),
    }),
    availability: t.field({ type: TicketAvailabilityEnum, resolve: (e) => e.availability }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.objectField(EventRef, 'enrichments', (t) =>
  t.field({
    type: [EventEnrichmentRef],
    description: "Layer 2: partner apps' ticketing, prices and availability for a Layer-1 event, oldest first (empty for others)",
    resolve: (event, _args, ctx) => (event.origin === 'SOURCE' ? ctx.loaders.enrichmentsOfEvent.load(event.id) : []),
  }),
);

const EnrichEventInput = builder.inputType('EnrichEventInput', {
  description: 'What your partner app says about tickets for a Layer-1 event; replaces what it said before.',
  fields: (t) => ({
    eventId: t.id({ required: true }),
    ticketUrl: t.string({ description: 'https only' }),
    priceMin: t.int({ description: 'minor units (cents), 0 or more' }),
    priceMax: t.int({ description: 'minor units, not below priceMin' }),
    currency: t.string({ description: 'ISO 4217, e.g. EUR; needed with a price' }),
    availability: t.field({ type: TicketAvailabilityEnum, description: 'default UNKNOWN' }),
  }),
});

/** The partner app behind an API key with the enrich scope; everyone else is refused. */
function requireEnrichingPartner(principal: Principal): { partnerAppId: string; organizationId: string } {
  requireAuthenticated(principal);
  if (principal.kind !== 'apiKey' || !principal.scopes.includes(ENRICH_SCOPE))
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      `not allowed: enriching events needs a partner API key with the scope ${ENRICH_SCOPE}`,
      {
        permission: ENRICH_SCOPE,
      },
    );
  const partnerAppId = principal.partnerAppId;
  // a key acts within its partner app's organisation: its one membership
  const organizationId = principal.memberships[0]?.organizationId;
  if (!partnerAppId || !organizationId)
    throw new DomainError(ErrorCode.FORBIDDEN, 'this API key names no partner app; issue a new key for your app', {
      reason: 'NO_PARTNER_APP',
    });
  return { partnerAppId, organizationId };
}

/**
 * The partner as an enricher: its white-label grant limits what its site shows (its organisations' events), not
 * which public Layer-1 events it may add ticketing to, so visibility is weighed without it.
 */
const asEnricher = (principal: Principal): Principal => ({ ...principal, whiteLabel: undefined });

/** A Layer-1 event the caller can see: NOT_FOUND (naming eventId) for any other, as for a missing one. */
async function eventToEnrich(ctx: EventsContext, rawId: string): Promise<Event> {
  const id = parseId('eventId', rawId);
  const event = await ctx.loaders.event.load(id);
  if (!event || !canSeeEvent(asEnricher(ctx.principal), event, { direct: true }))
    throw new DomainError(ErrorCode.NOT_FOUND, `eventId: Event ${id} was not found`, { field: 'eventId' });
  const problem = enrichableProblem(event);
  if (problem)
    throw new DomainError(ErrorCode.FORBIDDEN, 'only Layer-1 events (from sources) take partner enrichments', {
      field: 'eventId',
      reason: problem,
    });
  return event;
}

function refuse(problems: Problem[]): void {
  const [first] = problems;
  if (first)
    throw new DomainError(ErrorCode.BAD_USER_INPUT, `${first.field}: ${first.message}`, { field: first.field, problems });
}

builder.mutationFields((t) => ({
  enrichEvent: t.field({
    type: EventEnrichmentRef,
    description: `Sets your partner app's ticketing, prices and availability for a Layer-1 event (API keys with the scope ${ENRICH_SCOPE}); the event's own facts stay as its sources say.`,
    args: { input: t.arg({ type: EnrichEventInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { partnerAppId, organizationId } = requireEnrichingPartner(ctx.principal);
      const given: EnrichmentInput = {
        ticketUrl: input.ticketUrl?.trim() || null,
        priceMin: input.priceMin ?? null,
        priceMax: input.priceMax ?? null,
        currency: input.currency?.trim().toUpperCase() || null,
        availability: input.availability ?? 'UNKNOWN',
      };
      refuse(enrichmentProblems(given));
      const event = await eventToEnrich(ctx, input.eventId);
      const data = { ...given, availability: given.availability ?? 'UNKNOWN' };
      return ctx.db.eventEnrichment.upsert({
        where: { eventId_partnerAppId: { eventId: event.id, partnerAppId } },
        create: { eventId: event.id, partnerAppId, organizationId, ...data },
        update: data,
      });
    },
  }),
  removeEventEnrichment: t.boolean({
    description: `Removes your partner app's enrichment of an event (scope ${ENRICH_SCOPE}); false if it had none.`,
    args: { eventId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const { partnerAppId } = requireEnrichingPartner(ctx.principal);
      const eventId = parseId('eventId', args.eventId);
      const event = await ctx.loaders.event.load(eventId);
      if (!event || !canSeeEvent(asEnricher(ctx.principal), event, { direct: true })) throw notFound('Event', eventId);
      const { count } = await ctx.db.eventEnrichment.deleteMany({ where: { eventId, partnerAppId } });
      return count > 0;
    },
  }),
}));
