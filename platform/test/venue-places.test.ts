import { VenueStatusChangedDocument, VenueStatusChangedInAreaDocument } from '@eventgraph/sdk';
import { print } from 'graphql';
import { as, createOrganization, type Account } from './support/accounts';
import { ALL_WEEK, BERLIN_CELL, changes, PLACE_QUERIES as Q, places, until } from './support/places';
import { useProcessEnv } from './support/process-env';
import { startTestPlatform, subscribe, type GraphQLResponse, type TestPlatform } from './support/test-platform';
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
const { ok, venueWithEvent, venue, found, gatedSeries, statusBecomes, watch } = places(
  () => platform,
  () => people.owner,
  () => org,
);

async function refused(who: Account | null, query: string, variables: Record<string, unknown>) {
  const { body } = who ? await as(platform, who)(query, variables) : await platform.request(query, variables, { token: null });
  expect(body.errors?.length).toBe(1);
  return body.errors![0]!;
}

// lapsed statuses are announced within a fraction of a second here (15 s by default)
useProcessEnv({ EVENTS_STATUS_EXPIRY_INTERVAL_MS: '200' });

beforeAll(async () => {
  platform = await startTestPlatform({ callerPolicies: {} as never });
  for (const name of ['owner', 'stranger', 'u1', 'u2', 'u3'] as const) people[name] = await person(platform, name);
  org = await createOrganization(platform, people.owner, 'places');
  await createOrganization(platform, people.stranger, 'elsewhere');
}, 240_000);
jest.setTimeout(120_000);
afterAll(async () => {
  await platform?.stop();
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

describe('openNow from every source', () => {
  it("counts users' agreeing reports where no business status is, the same on the venue and in search", async () => {
    const closedDate = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const closedHours = { weekly: [], exceptions: [{ date: closedDate, closed: true }] };
    const venues = {
      reportedOpen: await venueWithEvent(), // hours say closed, three users say open
      reportedClosed: await venueWithEvent(), // hours say open, three users say closed
      businessWins: await venueWithEvent(), // three users say open, the organisation says closed
      gatesWin: await venueWithEvent(), // three users say closed, an event with gates runs there
      tooFew: await venueWithEvent(), // two users say open: the hours (closed) decide
    };
    for (const key of ['reportedOpen', 'tooFew', 'businessWins'] as const) {
      await ok(people.owner, Q.hours, { v: venues[key].venueId, h: closedHours });
    }
    for (const key of ['reportedClosed', 'gatesWin'] as const) {
      await ok(people.owner, Q.hours, { v: venues[key].venueId, h: { weekly: ALL_WEEK } });
    }
    const reporters = {
      reportedOpen: [true, true, true],
      reportedClosed: [false, false, false],
      businessWins: [true, true, true],
      gatesWin: [false, false, false],
      tooFew: [true, true],
    };
    for (const [key, says] of Object.entries(reporters) as [keyof typeof venues, boolean[]][]) {
      for (const [i, open] of says.entries()) {
        await ok([people.u1, people.u2, people.u3][i]!, Q.report, { v: venues[key].venueId, i: { open } });
      }
    }
    await ok(people.owner, Q.status, { v: venues.businessWins.venueId, i: { open: false } });
    const { enter } = await gatedSeries(venues.gatesWin.eventId, 10, new Date(Date.now() + 3_600_000));
    await enter();
    await statusBecomes(venues.gatesWin.venueId, (s) => s?.source === 'CHECK_IN_DATA', 'check-in data');

    const expected = { reportedOpen: true, reportedClosed: false, businessWins: false, gatesWin: true, tooFew: false };
    const openInSearch = await found({ organizationId: org, openNow: true });
    for (const [key, { venueId, eventId }] of Object.entries(venues) as [
      keyof typeof venues,
      { venueId: string; eventId: string },
    ][]) {
      const shown = await venue(venueId);
      expect({ key, openNow: shown.openNow }).toEqual({ key, openNow: expected[key] });
      expect({ key, inSearch: openInSearch.includes(eventId) }).toEqual({ key, inSearch: expected[key] });
    }
    expect((await venue(venues.reportedOpen.venueId)).liveStatus).toMatchObject({ source: 'USER_REPORTS', open: true });
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
    const { enter } = await gatedSeries(eventId, 4, new Date(Date.now() + 2 * 3_600_000));
    const crowdReaches = (level: string) => statusBecomes(venueId, (s) => s?.crowdLevel === level, level);
    for (let n = 0; n < 3; n++) await enter();
    expect(await crowdReaches('BUSY')).toMatchObject({ source: 'CHECK_IN_DATA', open: true }); // 3 of 4
    await enter();
    await crowdReaches('PACKED');
    // the organisation's own word still wins while valid
    await ok(people.owner, Q.status, { v: venueId, i: { crowdLevel: 'MODERATE' } });
    expect((await venue(venueId)).liveStatus).toMatchObject({ source: 'BUSINESS', crowdLevel: 'MODERATE' });
  });
});

describe('venue status subscriptions', () => {
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
