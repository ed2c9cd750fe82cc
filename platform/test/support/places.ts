import { as, type Account } from './accounts';
import { subscribe, type TestPlatform } from './test-platform';
import { activateSeries } from './demo-data';

/** Venues, their hours and live status through the gateway: what the places tests share. */

export const ALL_WEEK = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'].map((weekday) => ({
  weekday,
  opens: '00:00',
  closes: '24:00',
}));
export const BERLIN = { latitude: 52.52, longitude: 13.405 };
/** the place key of 1/10 degree around BERLIN (domain/search-keys: G<k>y<floor((lat + 90) k)>x<floor((lng + 180) k)>) */
export const BERLIN_CELL = `G10y${Math.floor((BERLIN.latitude + 90) * 10)}x${Math.floor((BERLIN.longitude + 180) * 10)}`;

export const PLACE_QUERIES = {
  venue: `query($id: ID!) { venue(id: $id) { openNow nextOpeningAt nextClosingAt
    openingHours { weekly { weekday opens closes } exceptions { date closed intervals { opens closes } note } }
    liveStatus { open crowdLevel waitMinutes special source confidence validUntil updatedAt } } }`,
  hours: `mutation($v: ID!, $h: OpeningHoursInput!) { setVenueOpeningHours(venueId: $v, hours: $h) { id openNow } }`,
  status: `mutation($v: ID!, $i: SetVenueStatusInput!) { setVenueStatus(venueId: $v, input: $i) { id liveStatus { source crowdLevel } } }`,
  clear: `mutation($v: ID!) { clearVenueStatus(venueId: $v) { id } }`,
  report: `mutation($v: ID!, $i: VenueStatusReportInput!) { reportVenueStatus(venueId: $v, input: $i) { id liveStatus { source crowdLevel waitMinutes confidence } } }`,
  search: `query($f: EventSearchFilter) { searchEvents(filter: $f, first: 50) { totalCount edges { node { id } } } }`,
};

export type Stream = ReturnType<typeof subscribe>;

export async function until(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The data of each message a subscription received (its one field), failing on errors. */
export const changes = (stream: Stream) =>
  stream.results.map((r) => {
    if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
    return Object.values(r.data as Record<string, any>)[0] as Record<string, any>;
  });

/** Helpers bound to a platform and the owner of the organisation whose venues they create. */
export function places(platformOf: () => TestPlatform, owner: () => Account, organizationId: () => string) {
  let tag = 0;
  async function ok(who: Account, query: string, variables: Record<string, unknown> = {}) {
    const { body } = await as(platformOf(), who)(query, variables);
    if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
    return body.data as Record<string, any>;
  }

  /** A venue in Berlin with a published event from an hour ago until `endsInMs` from now (default 3 hours). */
  async function venueWithEvent(endsInMs = 3 * 3_600_000): Promise<{ venueId: string; eventId: string }> {
    const n = `${tag++}-${Date.now().toString(36)}`;
    const { createVenue } = await ok(owner(), `mutation($i: CreateVenueInput!) { createVenue(input: $i) { id } }`, {
      i: { organizationId: organizationId(), name: `Bar ${n}`, slug: `bar-${n}`, timeZone: 'Europe/Berlin', ...BERLIN },
    });
    const { createEvent } = await ok(owner(), `mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, {
      i: {
        venueId: createVenue.id,
        title: `Quiz night ${n}`,
        slug: `quiz-${n}`,
        startsAt: new Date(Date.now() - 3_600_000).toISOString(),
        endsAt: new Date(Date.now() + endsInMs).toISOString(),
      },
    });
    await ok(owner(), `mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: createEvent.id });
    return { venueId: createVenue.id, eventId: createEvent.id };
  }

  const venue = (id: string) =>
    platformOf()
      .data(PLACE_QUERIES.venue, { id })
      .then((d) => d.venue as Record<string, any>);
  const found = async (filter: Record<string, unknown>) =>
    ((await platformOf().data(PLACE_QUERIES.search, { f: filter })).searchEvents.edges as { node: { id: string } }[]).map(
      (e) => e.node.id,
    );

  /** An active series of the event, until it ends, behind one gate; `enter()` lets one more wristband in. */
  async function gatedSeries(eventId: string, capacity: number, endsAt: Date) {
    const { createGate: gate } = await platformOf().data(`mutation($i: CreateGateInput!) { createGate(input: $i) { id } }`, {
      i: { eventId, name: 'Door', direction: 'BOTH' },
    });
    const { createEventSeries: series } = await platformOf().data(
      `mutation($i: CreateEventSeriesInput!) { createEventSeries(input: $i) { id } }`,
      {
        i: {
          eventId,
          name: 'Tonight',
          startsAt: new Date(Date.now() - 1_800_000).toISOString(),
          endsAt: endsAt.toISOString(),
          capacity,
          gateIds: [gate.id],
        },
      },
    );
    await activateSeries(platformOf(), series.id);
    return {
      enter: async () => {
        const nfcId = `04:PL:${tag++}:${Date.now().toString(36)}`;
        await platformOf().data(`mutation($i: CreateWristbandInput!) { createWristband(input: $i) { id } }`, {
          i: { eventId, nfcId, category: 'GA', seriesIds: [series.id] },
        });
        const { checkIn } = await platformOf().data(
          `mutation($s: ID!, $g: ID!, $n: String!) { checkIn(input: { seriesId: $s, gateId: $g, nfcId: $n, direction: ENTRY }) { allowed } }`,
          { s: series.id, g: gate.id, n: nfcId },
        );
        if (!checkIn.allowed) throw new Error('the wristband was not let in');
      },
    };
  }

  /** Polls the venue until its live status shows what `check` wants (check-ins reach events through the bus). */
  async function statusBecomes(venueId: string, check: (status: Record<string, any> | null) => boolean, what: string) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const status = (await venue(venueId)).liveStatus;
      if (check(status)) return status;
      if (Date.now() > deadline) throw new Error(`the status never showed ${what}: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Subscribes, then sets the venue's status until a change reaches the stream (the upstream opens asynchronously). */
  async function watch(query: string, variables: Record<string, unknown>, venueId: string) {
    const stream = subscribe(platformOf().wsClient({}), query, variables);
    const deadline = Date.now() + 15_000;
    while (stream.results.length === 0) {
      if (stream.error || stream.completed) throw new Error(`subscription ended: ${JSON.stringify(stream.error)}`);
      if (Date.now() > deadline) throw new Error('no status change reached the subscriber');
      await ok(owner(), PLACE_QUERIES.status, { v: venueId, i: { crowdLevel: 'MODERATE' } });
      await stream.next(1, 750).catch(() => undefined);
    }
    return stream;
  }

  return { ok, venueWithEvent, venue, found, gatedSeries, statusBecomes, watch };
}
