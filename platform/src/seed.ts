// npm run seed — loads a demo organisation with venues, events, series, gates and
// wristbands. Talks to the running platform at GATEWAY_URL (default
// http://localhost:4000/graphql) or, when none answers, starts one in this process
// on the same database for the time of the seeding.
import { loadGatewaySettings } from '@eventgraph/gateway/src/settings';
import { startPlatform } from './platform';

type Send = <T = any>(query: string, variables?: Record<string, unknown>) => Promise<T>;

const DEMO_SLUG = 'northern-lights';

function graphqlClient(url: string, token: string): Send {
  return async (query, variables) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.length) throw new Error(body.errors.map((e) => `${e.extensions?.code}: ${e.message}`).join('\n'));
    return body.data;
  };
}

/**
 * Day `n` of the demo festival: day 0 began an hour before seeding and lasts 20 hours (an hour's
 * gap before the next day, since series of one event may not overlap).
 */
function festivalDay(n: number) {
  const start = SEEDED_AT + n * 21 * HOUR - HOUR;
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + 20 * HOUR).toISOString() };
}
const HOUR = 3_600_000;
const SEEDED_AT = Date.now();

async function isUp(url: string): Promise<boolean> {
  try {
    return (await fetch(url.replace(/\/graphql$/, '/health'), { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

export async function seedDemo(send: Send): Promise<{ organizationId: string; created: boolean }> {
  const existing = await send(`query($slug: String!) { organizationBySlug(slug: $slug) { id } }`, { slug: DEMO_SLUG });
  if (existing.organizationBySlug) return { organizationId: existing.organizationBySlug.id, created: false };

  const { createUser: owner } = await send(
    `mutation { createUser(input: { email: "demo@eventgraph.dev", displayName: "Dana Demo" }) { id } }`,
  );
  const { createOrganization: org } = await send(
    `mutation($ownerId: ID!) { createOrganization(input: { name: "Northern Lights Festival", slug: "${DEMO_SLUG}", ownerId: $ownerId }) { id } }`,
    { ownerId: owner.id },
  );
  const venues = [
    { name: 'Harbour Stage', slug: 'harbour-stage', timeZone: 'Europe/Berlin', city: 'Hamburg' },
    { name: 'Old Mill Hall', slug: 'old-mill-hall', timeZone: 'Europe/Oslo', city: 'Bergen' },
  ];
  const venueIds: string[] = [];
  for (const venue of venues) {
    const { createVenue } = await send(`mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, {
      input: { organizationId: org.id, ...venue },
    });
    venueIds.push(createVenue.id);
  }
  const events = [
    {
      venue: 0,
      title: 'Northern Lights Festival',
      slug: 'northern-lights-festival',
      // under way from the moment of seeding, so its first day's gates are open to the README's scans
      startsAt: festivalDay(0).startsAt,
      endsAt: festivalDay(2).endsAt,
    },
    {
      venue: 1,
      title: 'Fjord Sessions',
      slug: 'fjord-sessions',
      startsAt: '2027-08-06T19:00:00+02:00',
      endsAt: '2027-08-06T23:30:00+02:00',
    },
    {
      venue: 0,
      title: 'Harbour Jazz Night',
      slug: 'harbour-jazz-night',
      startsAt: '2027-09-10T20:00:00+02:00',
      endsAt: '2027-09-10T23:59:00+02:00',
    },
  ];
  const eventIds: string[] = [];
  for (const { venue, ...event } of events) {
    const { createEvent } = await send(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
      input: { venueId: venueIds[venue], ...event },
    });
    eventIds.push(createEvent.id);
    await send(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: createEvent.id });
  }

  const festival = eventIds[0]!;
  const gateIds: string[] = [];
  for (const [name, direction] of [
    ['Main', 'ENTRY'],
    ['VIP', 'BOTH'],
    ['Exit', 'EXIT'],
  ] as const) {
    const { createGate } = await send(`mutation($input: CreateGateInput!) { createGate(input: $input) { id } }`, {
      input: { eventId: festival, name, direction },
    });
    gateIds.push(createGate.id);
  }
  const seriesIds: string[] = [];
  for (const [name, day] of [
    ['Day 1', 0],
    ['Day 2', 1],
    ['Day 3', 2],
  ] as const) {
    const { createEventSeries } = await send(
      `mutation($input: CreateEventSeriesInput!) { createEventSeries(input: $input) { id } }`,
      {
        input: {
          eventId: festival,
          name,
          ...festivalDay(day),
          capacity: 10_000,
          gateIds,
        },
      },
    );
    seriesIds.push(createEventSeries.id);
  }
  await send(`mutation($id: ID!) { transitionEventSeries(id: $id, to: SCHEDULED) { status } }`, { id: seriesIds[0] });
  // its window is open: the scheduler may make it ACTIVE first
  await send(`mutation($id: ID!) { transitionEventSeries(id: $id, to: ACTIVE) { status } }`, { id: seriesIds[0] }).catch(
    (err: Error) => {
      if (!err.message.includes('NO_CHANGE:')) throw err;
    },
  );

  const categories = ['GA', 'GA', 'GA', 'VIP', 'CREW'];
  for (let i = 1; i <= 20; i++) {
    await send(`mutation($input: CreateWristbandInput!) { createWristband(input: $input) { id } }`, {
      input: {
        eventId: festival,
        nfcId: `04:NL:${String(i).padStart(4, '0')}`,
        category: categories[i % categories.length],
        seriesIds: i % 4 === 0 ? [seriesIds[0]] : seriesIds,
      },
    });
  }
  const { createSource } = await send(
    `mutation { createSource(input: { name: "Hamburg city listings", kind: ICAL, url: "https://listings.example.org/hamburg.ics", scheduleSeconds: 0 }) { id } }`,
  );
  await send(`mutation($input: AttributeEventInput!) { attributeEvent(input: $input) { id } }`, {
    input: { sourceId: createSource.id, eventId: eventIds[2], externalId: 'harbour-jazz-2027@listings.example.org' },
  });
  return { organizationId: org.id, created: true };
}

async function main() {
  const settings = loadGatewaySettings({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const url = process.env.GATEWAY_URL ?? `http://localhost:${settings.PORT}/graphql`;
  const running = await isUp(url);
  const platform = running ? undefined : await startPlatform({ settings, ephemeralPorts: true });
  try {
    const target = platform?.gateway.url ?? url;
    if (!settings.EVENTGRAPH_DEV_TOKEN) throw new Error('seeding acts with the development credential: set EVENTGRAPH_DEV_TOKEN');
    const { organizationId, created } = await seedDemo(graphqlClient(target, settings.EVENTGRAPH_DEV_TOKEN));
    console.log(
      `${created ? 'Seeded' : 'Already seeded:'} demo organization "Northern Lights Festival" (${organizationId})${running ? ` through ${url}` : ''}`,
    );
  } finally {
    await platform?.stop();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
