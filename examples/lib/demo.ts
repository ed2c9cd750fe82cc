// Demo data for the examples, created through the SDK's typed mutations.
import {
  CreateEventDocument,
  CreateOrganizationDocument,
  CreateUserDocument,
  CreateVenueDocument,
  TransitionEventDocument,
  type EventStatus,
  type EventgraphClient,
} from '@eventgraph/sdk';
import { demoTag } from './common';

const DAY = 24 * 60 * 60 * 1000;
const at = (offsetDays: number, hour: number) => {
  const d = new Date(Date.now() + offsetDays * DAY);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
};

const LIFECYCLE_PATH: Record<EventStatus, EventStatus[]> = {
  DRAFT: [],
  PUBLISHED: ['PUBLISHED'],
  ON_SALE: ['PUBLISHED', 'ON_SALE'],
  PAUSED: ['PUBLISHED', 'ON_SALE', 'PAUSED'],
  CLOSED: ['PUBLISHED', 'CLOSED'],
  CANCELLED: ['PUBLISHED', 'CANCELLED'],
  ARCHIVED: ['ARCHIVED'],
};

/** moves an event from DRAFT along the lifecycle to `status` */
export async function moveEventTo(client: EventgraphClient, id: string, status: EventStatus) {
  for (const to of LIFECYCLE_PATH[status]) await client.request(TransitionEventDocument, { id, to });
}

/** An organisation (with its owner) and one venue. */
export async function createDemoOrganization(client: EventgraphClient, tag = demoTag()) {
  const { createUser: owner } = await client.request(CreateUserDocument, {
    input: { email: `demo-${tag}@example.com`, displayName: 'Demo Owner' },
  });
  const { createOrganization: organization } = await client.request(CreateOrganizationDocument, {
    input: { name: `Demo Festival ${tag}`, slug: `demo-festival-${tag}`, ownerId: owner.id },
  });
  const { createVenue: venue } = await client.request(CreateVenueDocument, {
    input: {
      organizationId: organization.id,
      name: 'Riverside Park',
      slug: `riverside-${tag}`,
      timeZone: 'Europe/Berlin',
      city: 'Berlin',
    },
  });
  return { tag, owner, organization, venue };
}

/**
 * An organisation with a programme: two public upcoming events (one on sale),
 * plus a draft and a past event that a public site must not list.
 */
export async function createDemoProgramme(client: EventgraphClient) {
  const base = await createDemoOrganization(client);
  const { createVenue: hall } = await client.request(CreateVenueDocument, {
    input: {
      organizationId: base.organization.id,
      name: 'Harbour Hall',
      slug: `harbour-${base.tag}`,
      timeZone: 'Europe/Lisbon',
      city: 'Lisbon',
    },
  });
  const plan: Array<{ title: string; venueId: string; startsAt: string; endsAt: string; status: EventStatus }> = [
    { title: 'Summer Sound', venueId: base.venue.id, startsAt: at(30, 14), endsAt: at(32, 22), status: 'ON_SALE' },
    { title: 'Harbour Jazz Night', venueId: hall.id, startsAt: at(10, 19), endsAt: at(10, 23), status: 'PUBLISHED' },
    { title: 'Secret Rehearsal', venueId: base.venue.id, startsAt: at(5, 18), endsAt: at(5, 21), status: 'DRAFT' },
    { title: 'Spring Opening', venueId: base.venue.id, startsAt: at(-40, 12), endsAt: at(-40, 20), status: 'CLOSED' },
  ];
  const events = [];
  for (const [i, e] of plan.entries()) {
    const { createEvent } = await client.request(CreateEventDocument, {
      input: {
        venueId: e.venueId,
        title: e.title,
        slug: `${e.title.toLowerCase().replace(/\W+/g, '-')}-${base.tag}-${i}`,
        startsAt: e.startsAt,
        endsAt: e.endsAt,
      },
    });
    await moveEventTo(client, createEvent.id, e.status);
    events.push({ ...createEvent, status: e.status });
  }
  return { ...base, venues: [base.venue, hall], events };
}
