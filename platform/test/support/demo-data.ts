import type { TestPlatform } from './test-platform';

/** What these helpers need of a platform: GraphQL calls that must succeed (a TestPlatform, or a platform in a child process). */
type Platform = Pick<TestPlatform, 'data'>;

/** An organisation with its owner, a venue and an event: what most tests start from. */
export async function createOrganisationWithEvent(platform: Platform, tag = Math.random().toString(36).slice(2, 8)) {
  const { createUser: user } = await platform.data(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
    input: { email: `owner-${tag}@example.com`, displayName: 'Olive Owner' },
  });
  const { createOrganization: org } = await platform.data(
    `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id name } }`,
    { input: { name: `Festival ${tag}`, slug: `festival-${tag}`, ownerId: user.id } },
  );
  const { createVenue: venue } = await platform.data(
    `mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`,
    {
      input: {
        organizationId: org.id,
        name: 'Riverside Park',
        slug: `riverside-${tag}`,
        timeZone: 'Europe/Berlin',
        city: 'Berlin',
      },
    },
  );
  const { createEvent: event } = await platform.data(
    `mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`,
    {
      input: {
        venueId: venue.id,
        title: 'Summer Sound',
        slug: `summer-sound-${tag}`,
        startsAt: '2027-07-01T14:00:00Z',
        endsAt: '2027-07-03T23:00:00Z',
      },
    },
  );
  return { user, org, venue, event };
}

/**
 * Moves a series whose window is open to ACTIVE; the scheduler may have done so first (NO_CHANGE), or be doing
 * it at the same moment (CONFLICT: asked again, it is then NO_CHANGE or goes through).
 */
export async function activateSeries(platform: Platform, seriesId: string) {
  for (const to of ['SCHEDULED', 'ACTIVE'])
    for (let attempt = 1; ; attempt++) {
      const moved = await platform
        .data(`mutation($id: ID!, $to: SeriesStatus!) { transitionEventSeries(id: $id, to: $to) { status } }`, {
          id: seriesId,
          to,
        })
        .then(
          () => true,
          (err: Error) => {
            if (err.message.includes('"NO_CHANGE"')) return true;
            if (err.message.includes('"CONFLICT"') && attempt < 5) return false;
            throw err;
          },
        );
      if (moved) break;
    }
}

/** One organisation with a venue, an event, a gate, a series, a wristband and a source: enough to touch all four subgraphs. */
export async function createDemoWorld(platform: Platform, tag = Math.random().toString(36).slice(2, 8)) {
  const { user, org, venue, event } = await createOrganisationWithEvent(platform, tag);
  const { createGate: gate } = await platform.data(`mutation($input: CreateGateInput!) { createGate(input: $input) { id } }`, {
    input: { eventId: event.id, name: 'Main', direction: 'BOTH' },
  });
  const { createEventSeries: series } = await platform.data(
    `mutation($input: CreateEventSeriesInput!) { createEventSeries(input: $input) { id } }`,
    {
      input: {
        eventId: event.id,
        name: 'Day 1',
        // running now, so its check-in window is open for the scans tests make
        startsAt: new Date(Date.now() - 3_600_000).toISOString(),
        endsAt: new Date(Date.now() + 86_400_000).toISOString(),
        capacity: 2,
        gateIds: [gate.id],
      },
    },
  );
  await activateSeries(platform, series.id);
  const { createWristband: wristband } = await platform.data(
    `mutation($input: CreateWristbandInput!) { createWristband(input: $input) { id nfcId } }`,
    { input: { eventId: event.id, nfcId: `04:A2:${tag}`, category: 'ga', seriesIds: [series.id] } },
  );
  const { createSource: source } = await platform.data(
    `mutation($input: CreateSourceInput!) { createSource(input: $input) { id } }`,
    {
      input: { name: 'City listings', kind: 'ICAL', url: `https://listings.example.com/${tag}.ics`, scheduleSeconds: 0 },
    },
  );
  await platform.data(`mutation($input: AttributeEventInput!) { attributeEvent(input: $input) { id } }`, {
    input: { sourceId: source.id, eventId: event.id, externalId: `uid-${tag}@listings` },
  });
  return { user, org, venue, event, gate, series, wristband, source };
}
