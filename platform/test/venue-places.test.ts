import { VenueStatusChangedDocument, VenueStatusChangedInAreaDocument } from '@eventgraph/sdk';
import { print } from 'graphql';
import { as, createOrganization, type Account } from './support/accounts';
import { startTestPlatform, subscribe, type GraphQLResponse, type TestPlatform } from './support/test-platform';
import { activateSeries } from './support/demo-data';
import { person } from './support/ticket-sales';

/**
 * Places and their live status through the real gateway (issue 15): opening hours and openNow (on the venue and
 * in search), the organisation's live status and its expiry, users' reports shown only once enough of them agree
 * and rate-limited, the refusals with their codes, and the status subscriptions over graphql-ws by venue and by
 * cell. CI runs it on PGlite and on PostgreSQL with NATS.
 */
let platform: TestPlatform;
const people = {} as Record<'owner' | 'stranger' | 'u1' | 'u2' | 'u3', Account>;
let org: string;
let tag = 0;

const ALL_WEEK = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' }));
const BERLIN = { latitude: 52.52, longitude: 13.405 };
/** the place key of 1/10 degree around BERLIN (domain/search-keys: G<k>y<floor((lat + 90) k)>x<floor((lng + 180) k)>) */
const BERLIN_CELL = `G10y${Math.floor((BERLIN.latitude + 90) * 10)}x${Math.floor((BERLIN.longitude + 180) * 10)}`;

const Q = {
  venue: `query($id: ID!) { venue(id: $id) { openNow nextOpeningAt nextClosingAt
    openingHours { weekly { weekday opens closes } exceptions { date closed intervals { opens closes } note } }
    liveStatus { open crowdLevel waitMinutes special source confidence validUntil updatedAt } } }`,
  hours: `mutation($v: ID!, $h: OpeningHoursInput!) { setVenueOpeningHours(venueId: $v, hours: $h) { id openNow } }`,
  status: `mutation($v: ID!, $i: SetVenueStatusInput!) { setVenueStatus(venueId: $v, input: $i) { id liveStatus { source crowdLevel } } }`,
  clear: `mutation($v: ID!) { clearVenueStatus(venueId: $v) { id } }`,
  report: `mutation($v: ID!, $i: VenueStatusReportInput!) { reportVenueStatus(venueId: $v, input: $i) { id liveStatus { source crowdLevel waitMinutes confidence } } }`,
  search: `query($f: EventSearchFilter) { searchEvents(filter: $f, first: 50) { totalCount edges { node { id } } } }`,
};

async function ok(who: Account, query: string, variables: Record<string, unknown> = {}) {
  const { body } = await as(platform, who)(query, variables);
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data as Record<string, any>;
}
async function refused(who: Account | null, query: string, variables: Record<string, unknown>) {
  const { body } = who ? await as(platform, who)(query, variables) : await platform.request(query, variables, { token: null });
  expect(body.errors?.length).toBe(1);
  return body.errors![0]!;
}

/** A venue of `org` in Berlin with a published event happening from an hour ago for a few hours. */
async function venueWithEvent(): Promise<{ venueId: string; eventId: string }> {
  const n = tag++;
  const { createVenue } = await ok(people.owner, `mutation($i: CreateVenueInput!) { createVenue(input: $i) { id } }`, {
    i: {
      organizationId: org,
      name: `Bar ${n}`,
      slug: `bar-${n}-${Date.now().toString(36)}`,
      timeZone: 'Europe/Berlin',
      ...BERLIN,
    },
  });
  const { createEvent } = await ok(people.owner, `mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, {
    i: {
      venueId: createVenue.id,
      title: `Quiz night ${n}`,
      slug: `quiz-${n}-${Date.now().toString(36)}`,
      startsAt: new Date(Date.now() - 3_600_000).toISOString(),
      endsAt: new Date(Date.now() + 3 * 3_600_000).toISOString(),
    },
  });
  await ok(people.owner, `mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: createEvent.id });
  return { venueId: createVenue.id, eventId: createEvent.id };
}

const venue = (id: string) => platform.data(Q.venue, { id }).then((d) => d.venue as Record<string, any>);
const found = async (filter: Record<string, unknown>) =>
  ((await platform.data(Q.search, { f: filter })).searchEvents.edges as { node: { id: string } }[]).map((e) => e.node.id);

beforeAll(async () => {
  // lapsed statuses are announced within a fraction of a second here (15 s by default)
  process.env.EVENTS_STATUS_EXPIRY_INTERVAL_MS = '200';
  platform = await startTestPlatform({ callerPolicies: {} as never });
  for (const name of ['owner', 'stranger', 'u1', 'u2', 'u3'] as const) people[name] = await person(platform, name);
  org = await createOrganization(platform, people.owner, 'places');
  await createOrganization(platform, people.stranger, 'elsewhere');
}, 240_000);
jest.setTimeout(120_000);
afterAll(async () => {
  await platform?.stop();
  delete process.env.EVENTS_STATUS_EXPIRY_INTERVAL_MS;
});

describe('opening hours', () => {
  it('sets hours, answers openNow and the next times, and filters search by openNow', async () => {
    const open = await venueWithEvent();
    const closed = await venueWithEvent();
    const unknown = await venueWithEvent(); // no hours: neither open nor closed
    expect((await venue(unknown.venueId)).openNow).toBeNull();
    const set = await ok(people.owner, Q.hours, { v: open.venueId, h: { weekly: ALL_WEEK } });
    expect(set.setVenueOpeningHours.openNow).toBe(true);
    // the other opens only on one night ten days ahead: closed now
    const date = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await ok(people.owner, Q.hours, {
      v: closed.venueId,
      h: { weekly: [], exceptions: [{ date, intervals: [{ opens: '22:00', closes: '03:00' }], note: 'reopening' }] },
    });
    const shown = await venue(closed.venueId);
    expect(shown.openNow).toBe(false);
    // 22:00 in Berlin is 20:00 or 21:00 UTC (summer or winter), and it closes five hours later
    expect([`${date}T20:00:00.000Z`, `${date}T21:00:00.000Z`]).toContain(shown.nextOpeningAt);
    expect(Date.parse(shown.nextClosingAt) - Date.parse(shown.nextOpeningAt)).toBe(5 * 3_600_000);
    expect(shown.openingHours).toEqual({
      weekly: [],
      exceptions: [{ date, closed: false, intervals: [{ opens: '22:00', closes: '03:00' }], note: 'reopening' }],
    });
    expect((await venue(open.venueId)).openingHours.weekly).toHaveLength(7);

    const ids = [open.eventId, closed.eventId, unknown.eventId];
    const all = await found({ organizationId: org });
    expect(ids.every((id) => all.includes(id))).toBe(true);
    const openNow = await found({ organizationId: org, openNow: true });
    expect(openNow).toContain(open.eventId);
    expect(openNow).not.toContain(closed.eventId);
    expect(openNow).not.toContain(unknown.eventId);
    expect((await found({ organizationId: org, openNow: false })).length).toBe(all.length);

    // the organisation's own word wins over the hours while valid, in search too
    await ok(people.owner, Q.status, { v: closed.venueId, i: { open: true, special: 'pop-up' } });
    expect((await venue(closed.venueId)).openNow).toBe(true);
    expect(await found({ organizationId: org, openNow: true })).toContain(closed.eventId);
    await ok(people.owner, Q.clear, { v: closed.venueId });
    expect(await found({ organizationId: org, openNow: true })).not.toContain(closed.eventId);
  });

  it('refuses bad hours, unknown venues and other organisations’ venues, changing nothing', async () => {
    const { venueId } = await venueWithEvent();
    await ok(people.owner, Q.hours, { v: venueId, h: { weekly: ALL_WEEK.slice(0, 1) } });
    const bad = await refused(people.owner, Q.hours, {
      v: venueId,
      h: { weekly: [{ weekday: 'MO', opens: '25:00', closes: '02:00' }] },
    });
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'weekly[0].opens' });
    const missing = await refused(people.owner, Q.hours, { v: '00000000-0000-4000-8000-000000000000', h: { weekly: ALL_WEEK } });
    expect(missing.extensions?.code).toBe('NOT_FOUND');
    const foreign = await refused(people.stranger, Q.hours, { v: venueId, h: { weekly: ALL_WEEK } });
    expect(foreign.extensions?.code).toBe('FORBIDDEN');
    expect((await venue(venueId)).openingHours.weekly).toEqual([{ weekday: 'MO', opens: '00:00', closes: '24:00' }]);
  });
});

describe('live status', () => {
  it("shows the organisation's status until it lapses by itself, and refuses what cannot be", async () => {
    const { venueId } = await venueWithEvent();
    expect((await venue(venueId)).liveStatus).toBeNull();
    const validUntil = new Date(Date.now() + 2_500).toISOString();
    await ok(people.owner, Q.status, {
      v: venueId,
      i: { open: true, crowdLevel: 'BUSY', waitMinutes: 15, special: 'live music', validUntil },
    });
    expect((await venue(venueId)).liveStatus).toMatchObject({
      open: true,
      crowdLevel: 'BUSY',
      waitMinutes: 15,
      special: 'live music',
      source: 'BUSINESS',
      confidence: 1,
      validUntil,
    });
    const impossible = await refused(people.owner, Q.status, { v: venueId, i: { waitMinutes: 601 } });
    expect(impossible.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'waitMinutes' });
    const tooLong = await refused(people.owner, Q.status, {
      v: venueId,
      i: { open: true, validUntil: new Date(Date.now() + 13 * 3_600_000).toISOString() },
    });
    expect(tooLong.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'validUntil' });
    expect(
      (await refused(people.owner, Q.status, { v: '00000000-0000-4000-8000-000000000000', i: { open: true } })).extensions?.code,
    ).toBe('NOT_FOUND');
    expect((await refused(people.stranger, Q.status, { v: venueId, i: { open: false } })).extensions?.code).toBe('FORBIDDEN');
    expect((await venue(venueId)).liveStatus).toMatchObject({ crowdLevel: 'BUSY', waitMinutes: 15 }); // nothing changed
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await venue(venueId)).liveStatus).toBeNull(); // lapsed
  });

  it('shows users’ reports only once three users agree, rate-limits each user, and lets the business win', async () => {
    const { venueId } = await venueWithEvent();
    const report = (who: Account, input: Record<string, unknown>) => ok(who, Q.report, { v: venueId, i: input });
    expect((await report(people.u1, { crowdLevel: 'PACKED', waitMinutes: 30 })).reportVenueStatus.liveStatus).toBeNull();
    const again = await refused(people.u1, Q.report, { v: venueId, i: { crowdLevel: 'PACKED' } });
    expect(again.extensions?.code).toBe('RATE_LIMITED');
    expect(again.extensions?.retryAfterSeconds).toBeGreaterThan(500);
    expect((await report(people.u2, { crowdLevel: 'PACKED', waitMinutes: 35 })).reportVenueStatus.liveStatus).toBeNull();
    const shown = (await report(people.u3, { crowdLevel: 'BUSY', waitMinutes: 32 })).reportVenueStatus.liveStatus;
    expect(shown).toMatchObject({ source: 'USER_REPORTS', crowdLevel: 'PACKED', waitMinutes: 32 });
    expect(shown.confidence).toBeGreaterThan(0);
    expect(shown.confidence).toBeLessThan(1);

    const impossible = await refused(people.u1, Q.report, { v: venueId, i: { waitMinutes: 100_000 } });
    expect(impossible.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'waitMinutes' });
    const nowhere = await refused(people.u1, Q.report, { v: '00000000-0000-4000-8000-000000000000', i: { open: true } });
    expect(nowhere.extensions?.code).toBe('NOT_FOUND');
    expect((await refused(null, Q.report, { v: venueId, i: { open: true } })).extensions?.code).toBe('UNAUTHENTICATED');

    await ok(people.owner, Q.status, { v: venueId, i: { crowdLevel: 'QUIET' } });
    expect((await venue(venueId)).liveStatus).toMatchObject({ source: 'BUSINESS', crowdLevel: 'QUIET' });
    await ok(people.owner, Q.clear, { v: venueId });
    expect((await venue(venueId)).liveStatus).toMatchObject({ source: 'USER_REPORTS', crowdLevel: 'PACKED' });
  });
});

describe('check-in data', () => {
  it('derives the crowd level from inside now of capacity at the gates of an event running there', async () => {
    const { venueId, eventId } = await venueWithEvent();
    const { createGate: gate } = await platform.data(`mutation($i: CreateGateInput!) { createGate(input: $i) { id } }`, {
      i: { eventId, name: 'Door', direction: 'BOTH' },
    });
    const { createEventSeries: series } = await platform.data(
      `mutation($i: CreateEventSeriesInput!) { createEventSeries(input: $i) { id } }`,
      {
        i: {
          eventId,
          name: 'Tonight',
          startsAt: new Date(Date.now() - 1_800_000).toISOString(),
          endsAt: new Date(Date.now() + 2 * 3_600_000).toISOString(),
          capacity: 4,
          gateIds: [gate.id],
        },
      },
    );
    await activateSeries(platform, series.id);
    const enter = async (n: number) => {
      const nfcId = `04:PL:${tag++}:${n}`;
      await platform.data(`mutation($i: CreateWristbandInput!) { createWristband(input: $i) { id } }`, {
        i: { eventId, nfcId, category: 'GA', seriesIds: [series.id] },
      });
      const { checkIn } = await platform.data(
        `mutation($s: ID!, $g: ID!, $n: String!) { checkIn(input: { seriesId: $s, gateId: $g, nfcId: $n, direction: ENTRY }) { allowed } }`,
        { s: series.id, g: gate.id, n: nfcId },
      );
      expect(checkIn.allowed).toBe(true);
    };
    const crowdReaches = async (level: string) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const status = (await venue(venueId)).liveStatus;
        if (status?.crowdLevel === level) return status;
        if (Date.now() > deadline) throw new Error(`the crowd never showed ${level}: ${JSON.stringify(status)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    for (const n of [1, 2, 3]) await enter(n);
    expect(await crowdReaches('BUSY')).toMatchObject({ source: 'CHECK_IN_DATA', open: true }); // 3 of 4
    await enter(4);
    await crowdReaches('PACKED');
    // the organisation's own word still wins while valid
    await ok(people.owner, Q.status, { v: venueId, i: { crowdLevel: 'MODERATE' } });
    expect((await venue(venueId)).liveStatus).toMatchObject({ source: 'BUSINESS', crowdLevel: 'MODERATE' });
  });
});

describe('venue status subscriptions', () => {
  type Stream = ReturnType<typeof subscribe>;
  const changes = (stream: Stream) =>
    stream.results.map((r) => {
      if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
      return Object.values(r.data as Record<string, any>)[0] as Record<string, any>;
    });

  /** Subscribes, then sets the venue's status until a change reaches the stream (the upstream opens asynchronously). */
  async function watch(query: string, variables: Record<string, unknown>, venueId: string) {
    const stream = subscribe(platform.wsClient({}), query, variables);
    const deadline = Date.now() + 15_000;
    while (stream.results.length === 0) {
      if (stream.error || stream.completed) throw new Error(`subscription ended: ${JSON.stringify(stream.error)}`);
      if (Date.now() > deadline) throw new Error('no status change reached the subscriber');
      await ok(people.owner, Q.status, { v: venueId, i: { crowdLevel: 'MODERATE' } });
      await stream.next(1, 750).catch(() => undefined);
    }
    return stream;
  }

  it('delivers changes to anyone following the venue or its cell, and nothing for other venues or cells', async () => {
    const here = await venueWithEvent();
    const other = await venueWithEvent();
    // the SDK's operations, as apps send them
    const byVenue = await watch(print(VenueStatusChangedDocument), { venueId: here.venueId }, here.venueId);
    const byCell = await watch(print(VenueStatusChangedInAreaDocument), { cell: BERLIN_CELL }, here.venueId);
    const farAway = subscribe(platform.wsClient({}), `subscription { venueStatusChangedInArea(cell: "G10y0x0") { venueId } }`);
    const [venueBefore, cellBefore] = [byVenue.results.length, byCell.results.length];
    await ok(people.owner, Q.status, { v: here.venueId, i: { crowdLevel: 'PACKED', waitMinutes: 45 } });
    await byVenue.next(venueBefore + 1);
    await byCell.next(cellBefore + 1);
    await until(() => changes(byVenue).some((c) => c.liveStatus?.crowdLevel === 'PACKED'));
    const last = changes(byVenue).at(-1)!;
    expect(last).toMatchObject({
      venueId: here.venueId,
      changed: ['liveStatus'],
      liveStatus: { source: 'BUSINESS', waitMinutes: 45 },
    });
    expect(last.venue).toEqual({ id: here.venueId, openNow: null });
    expect(changes(byCell).at(-1)!.venue.name).toMatch(/^Bar /);

    // another venue in the same cell reaches the cell's subscribers only
    const venueCount = byVenue.results.length;
    await ok(people.owner, Q.status, { v: other.venueId, i: { crowdLevel: 'EMPTY' } });
    await until(() => changes(byCell).some((c) => c.venueId === other.venueId));
    expect(
      changes(byVenue)
        .slice(venueCount)
        .every((c) => c.venueId === here.venueId),
    ).toBe(true);
    expect(farAway.results).toHaveLength(0);
  });

  it("tells the venue's subscribers when the organisation's status lapses", async () => {
    const { venueId } = await venueWithEvent();
    const byVenue = await watch(print(VenueStatusChangedDocument), { venueId }, venueId);
    await ok(people.owner, Q.status, {
      v: venueId,
      i: { crowdLevel: 'BUSY', validUntil: new Date(Date.now() + 1_500).toISOString() },
    });
    await until(() => changes(byVenue).some((c) => c.liveStatus?.crowdLevel === 'BUSY'));
    const busyAt = changes(byVenue).findIndex((c) => c.liveStatus?.crowdLevel === 'BUSY');
    await until(() =>
      changes(byVenue)
        .slice(busyAt + 1)
        .some((c) => c.liveStatus === null),
    );
    expect(changes(byVenue).at(-1)).toMatchObject({ venueId, changed: ['liveStatus'], liveStatus: null });
  });

  it('refuses a cell that is no place key and a venue that does not exist', async () => {
    const client = platform.wsClient({});
    const cell = subscribe(client, `subscription { venueStatusChangedInArea(cell: "u33d") { venueId } }`);
    await cell.next(1).catch(() => undefined);
    expect((cell.results[0]?.errors ?? (cell.error as GraphQLResponse<never>['errors']))?.[0]?.extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
    const missing = subscribe(
      client,
      `subscription { venueStatusChanged(venueId: "00000000-0000-4000-8000-000000000000") { venueId } }`,
    );
    await missing.next(1).catch(() => undefined);
    expect((missing.results[0]?.errors ?? (missing.error as GraphQLResponse<never>['errors']))?.[0]?.extensions?.code).toBe(
      'NOT_FOUND',
    );
  });
});

async function until(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
