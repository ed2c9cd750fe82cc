import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusEvent } from '@eventgraph/runtime';
import type { AccessDb } from '@eventgraph/subgraph-access/src/context';
import { runSchedulerPass } from '@eventgraph/subgraph-access/src/scheduler';
import { as, createOrganization, signUp, type Account } from './support/accounts';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

/**
 * Event series through the gateway: validation codes, the lifecycle and its
 * log, the scheduler (short interval, races, restarts), recurring series and
 * organisation isolation.
 */
let platform: TestPlatform;
let dataDir: string | undefined;
const people: Record<string, Account> = {};
const ids: Record<string, string> = {};
const previousInterval = process.env.ACCESS_SCHEDULER_INTERVAL_MS;

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] };
const call = (who: string, query: string, variables?: Record<string, unknown>) =>
  as(platform, people[who]!)(query, variables).then((r) => r.body as Body);
const ok = async (who: string, query: string, variables?: Record<string, unknown>) => {
  const body = await call(who, query, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};
const errorOf = (body: Body) => body.errors?.[0] ?? { message: 'OK', extensions: { code: 'OK' } };
const codeOf = (body: Body) => errorOf(body).extensions?.code;

const SERIES = `id name status startsAt endsAt checkInOpensAt checkInClosesAt capacity entryRule sequenceNumber
  categoryLimits { category capacity inside remaining } gates { id }`;
const Q = {
  create: `mutation($input: CreateEventSeriesInput!) { createEventSeries(input: $input) { ${SERIES} } }`,
  update: `mutation($id: ID!, $input: UpdateEventSeriesInput!) { updateEventSeries(id: $id, input: $input) { ${SERIES} } }`,
  transition: `mutation($id: ID!, $to: SeriesStatus!, $reason: String) { transitionEventSeries(id: $id, to: $to, reason: $reason) { status } }`,
  get: `query($id: ID!) { eventSeries(id: $id) { ${SERIES} transitions { from to actorKind actorId reason occurredAt } } }`,
  setGates: `mutation($id: ID!, $gates: [ID!]!) { setSeriesGates(seriesId: $id, gateIds: $gates) { gates { id } } }`,
  setLimit: `mutation($id: ID!, $category: String!, $capacity: Int!) { setSeriesCategoryLimit(seriesId: $id, category: $category, capacity: $capacity) { categoryLimits { category capacity } } }`,
  removeLimit: `mutation($id: ID!, $category: String!) { removeSeriesCategoryLimit(seriesId: $id, category: $category) { categoryLimits { category } } }`,
  createRecurring: `mutation($input: CreateRecurringEventSeriesInput!) { createRecurringEventSeries(input: $input) { id status recurrence { frequency interval count until timeZone byWeekday } } }`,
  generate: `mutation($id: ID!) { generateSeriesOccurrences(parentId: $id) { created { id } children { ${SERIES} parent { id } } } }`,
};

let slugs = 0;
const slug = () => `series-${Date.now().toString(36)}-${slugs++}`;
const hours = (n: number) => new Date(Date.now() + n * 3600_000).toISOString();
/** Non-overlapping days far ahead, one per use, so the scheduler leaves them alone. */
let days = 0;
const futureDay = () => {
  const start = Date.UTC(2028, 0, 1, 10) + days++ * 86_400_000;
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + 10 * 3600_000).toISOString() };
};

async function eventOf(who: string, org: string) {
  const { createVenue } = await ok(
    who,
    `mutation($org: ID!, $slug: String!) { createVenue(input: { organizationId: $org, name: "Park", slug: $slug, timeZone: "Europe/Berlin" }) { id } }`,
    { org, slug: slug() },
  );
  const { createEvent } = await ok(
    who,
    `mutation($venue: ID!, $slug: String!) { createEvent(input: { venueId: $venue, title: "Festival", slug: $slug, startsAt: "2026-01-01T10:00:00Z", endsAt: "2029-01-01T10:00:00Z" }) { id } }`,
    { venue: createVenue.id, slug: slug() },
  );
  return createEvent.id as string;
}
const gateOf = async (who: string, event: string, name: string) =>
  (
    await ok(
      who,
      `mutation($event: ID!, $name: String!) { createGate(input: { eventId: $event, name: $name, direction: BOTH }) { id } }`,
      {
        event,
        name,
      },
    )
  ).createGate.id as string;

const waitFor = async <T>(what: () => Promise<T>, until: (value: T) => boolean, ms = 10_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await what();
    if (until(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** every series.transitioned announcement heard on the bus (the relay deletes outbox rows once published) */
const heard: BusEvent[] = [];

/** a series' announcements, in the order the bus delivered them, once `count` came (and none more shortly after) */
const announcedFor = async (seriesId: string, count: number) => {
  const of = async () => heard.filter((event) => event.payload.seriesId === seriesId);
  await waitFor(of, (events) => events.length >= count);
  await new Promise((resolve) => setTimeout(resolve, 300));
  return of();
};

beforeAll(async () => {
  process.env.ACCESS_SCHEDULER_INTERVAL_MS = '200';
  if (!process.env.DATABASE_URL) dataDir = mkdtempSync(join(tmpdir(), 'eventgraph-series-'));
  platform = await startTestPlatform({ embeddedDataDir: dataDir });
  platform.bus.subscribe('series.transitioned', (event) => void heard.push(event));
  for (const name of ['ownerA', 'ownerB']) people[name] = await signUp(platform, name);
  ids.orgA = await createOrganization(platform, people.ownerA!, 'series-a');
  ids.orgB = await createOrganization(platform, people.ownerB!, 'series-b');
  ids.eventA = await eventOf('ownerA', ids.orgA!);
  ids.otherEventA = await eventOf('ownerA', ids.orgA!);
  ids.eventB = await eventOf('ownerB', ids.orgB);
  ids.gateMain = await gateOf('ownerA', ids.eventA, 'Main');
  ids.gateVip = await gateOf('ownerA', ids.eventA, 'VIP');
  ids.gateOther = await gateOf('ownerA', ids.otherEventA, 'Elsewhere');
  ids.gateB = await gateOf('ownerB', ids.eventB, 'B Main');
}, 240_000);
jest.setTimeout(120_000);
afterAll(async () => {
  await platform?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (previousInterval === undefined) delete process.env.ACCESS_SCHEDULER_INTERVAL_MS;
  else process.env.ACCESS_SCHEDULER_INTERVAL_MS = previousInterval;
});

describe('creating and changing a series', () => {
  it('defaults the window to the series, upper-cases category limits and keeps gates and the entry rule', async () => {
    const day = futureDay();
    const { createEventSeries } = await ok('ownerA', Q.create, {
      input: {
        eventId: ids.eventA,
        name: 'Day 1',
        ...day,
        capacity: 10_700,
        entryRule: 'SINGLE_ENTRY',
        gateIds: [ids.gateMain, ids.gateVip],
        categoryLimits: [
          { category: 'ga', capacity: 10_000 },
          { category: 'VIP', capacity: 500 },
          { category: 'Crew', capacity: 200 },
        ],
      },
    });
    expect(createEventSeries).toMatchObject({
      status: 'DRAFT',
      checkInOpensAt: day.startsAt,
      checkInClosesAt: day.endsAt,
      entryRule: 'SINGLE_ENTRY',
      categoryLimits: [
        { category: 'CREW', capacity: 200, inside: 0, remaining: 200 },
        { category: 'GA', capacity: 10_000, inside: 0, remaining: 10_000 },
        { category: 'VIP', capacity: 500, inside: 0, remaining: 500 },
      ],
    });
    expect(createEventSeries.gates.map((g: { id: string }) => g.id).sort()).toEqual([ids.gateMain, ids.gateVip].sort());
    ids.day1 = createEventSeries.id;
  });

  it('refuses bad input, each with its code', async () => {
    const day = futureDay();
    const base = { eventId: ids.eventA, name: 'Bad', ...day, capacity: 10 };
    const refused = async (input: Record<string, unknown>) =>
      errorOf(await call('ownerA', Q.create, { input: { ...base, ...input } }));
    const taken = (await ok('ownerA', Q.get, { id: ids.day1 })).eventSeries;

    const overlap = await refused({ startsAt: taken.startsAt, endsAt: taken.endsAt });
    expect(overlap.extensions).toMatchObject({ code: 'SERIES_OVERLAP', otherSeriesId: ids.day1 });
    expect(overlap.message).toContain('"Day 1"');
    const early = new Date(new Date(day.startsAt).getTime() - 25 * 3600_000).toISOString();
    expect((await refused({ checkInOpensAt: early })).extensions).toMatchObject({
      code: 'CHECKIN_WINDOW_OUTSIDE_SERIES',
      field: 'checkInOpensAt',
    });
    const late = new Date(new Date(day.endsAt).getTime() + 60_000).toISOString();
    expect((await refused({ checkInClosesAt: late })).extensions).toMatchObject({
      code: 'CHECKIN_WINDOW_OUTSIDE_SERIES',
      field: 'checkInClosesAt',
    });
    expect((await refused({ checkInOpensAt: day.endsAt, checkInClosesAt: day.startsAt })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'checkInClosesAt',
    });
    expect((await refused({ gateIds: [ids.gateOther] })).extensions?.code).toBe('GATE_OF_OTHER_EVENT');
    expect((await refused({ capacity: -1 })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'capacity' });
    expect(
      (
        await refused({
          categoryLimits: [
            { category: 'GA', capacity: 1 },
            { category: 'ga', capacity: 2 },
          ],
        })
      ).extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'categoryLimits[1].category' });
    expect((await refused({ categoryLimits: [{ category: 'VIP', capacity: -5 }] })).extensions?.code).toBe('BAD_USER_INPUT');
    // a cancelled series no longer blocks its time
    const cancelled = (await ok('ownerA', Q.create, { input: base })).createEventSeries.id;
    expect(codeOf(await call('ownerA', Q.create, { input: base }))).toBe('SERIES_OVERLAP');
    await ok('ownerA', Q.transition, { id: cancelled, to: 'CANCELLED', reason: 'moved' });
    expect(codeOf(await call('ownerA', Q.create, { input: base }))).toBe('OK');
  });

  it('updates a draft or scheduled series, checked as a whole; not once it runs', async () => {
    const day = futureDay();
    const { createEventSeries: series } = await ok('ownerA', Q.create, {
      input: { eventId: ids.eventA, name: 'Movable', ...day, capacity: 10 },
    });
    const next = futureDay();
    const { updateEventSeries } = await ok('ownerA', Q.update, {
      id: series.id,
      input: { ...next, name: 'Moved', capacity: 20, entryRule: 'UNLIMITED' },
    });
    // the default window moves with the series
    expect(updateEventSeries).toMatchObject({ name: 'Moved', capacity: 20, entryRule: 'UNLIMITED' });
    expect(updateEventSeries.checkInOpensAt).toBe(updateEventSeries.startsAt);
    const taken = (await ok('ownerA', Q.get, { id: ids.day1 })).eventSeries;
    expect(
      codeOf(await call('ownerA', Q.update, { id: series.id, input: { startsAt: taken.startsAt, endsAt: taken.endsAt } })),
    ).toBe('SERIES_OVERLAP');
    const early = new Date(new Date(next.startsAt).getTime() - 30 * 3600_000).toISOString();
    expect(errorOf(await call('ownerA', Q.update, { id: series.id, input: { checkInOpensAt: early } })).extensions).toMatchObject(
      {
        code: 'CHECKIN_WINDOW_OUTSIDE_SERIES',
        field: 'checkInOpensAt',
      },
    );
    for (const to of ['SCHEDULED', 'ACTIVE']) await ok('ownerA', Q.transition, { id: series.id, to });
    expect(codeOf(await call('ownerA', Q.update, { id: series.id, input: { capacity: 5 } }))).toBe('SERIES_NOT_EDITABLE');
  });

  it('sets gates and category limits (gates of its own event only)', async () => {
    expect((await ok('ownerA', Q.setGates, { id: ids.day1, gates: [ids.gateVip] })).setSeriesGates.gates).toEqual([
      { id: ids.gateVip },
    ]);
    expect(codeOf(await call('ownerA', Q.setGates, { id: ids.day1, gates: [ids.gateOther] }))).toBe('GATE_OF_OTHER_EVENT');
    expect(
      (await ok('ownerA', Q.setLimit, { id: ids.day1, category: 'vip', capacity: 750 })).setSeriesCategoryLimit.categoryLimits,
    ).toEqual([
      { category: 'CREW', capacity: 200 },
      { category: 'GA', capacity: 10_000 },
      { category: 'VIP', capacity: 750 },
    ]);
    expect(codeOf(await call('ownerA', Q.setLimit, { id: ids.day1, category: 'VIP', capacity: -1 }))).toBe('BAD_USER_INPUT');
    expect(
      (await ok('ownerA', Q.removeLimit, { id: ids.day1, category: 'Crew' })).removeSeriesCategoryLimit.categoryLimits,
    ).toEqual([{ category: 'GA' }, { category: 'VIP' }]);
  });
});

describe('the lifecycle', () => {
  it('logs every move (who, when, from, to, why) and announces it on the bus', async () => {
    const { createEventSeries: series } = await ok('ownerA', Q.create, {
      input: { eventId: ids.eventA, name: 'Logged', ...futureDay(), capacity: 10 },
    });
    await ok('ownerA', Q.transition, { id: series.id, to: 'SCHEDULED', reason: 'line-up final' });
    await ok('ownerA', Q.transition, { id: series.id, to: 'ACTIVE' });
    await ok('ownerA', Q.transition, { id: series.id, to: 'CANCELLED', reason: 'storm' });
    const { transitions } = (await ok('ownerA', Q.get, { id: series.id })).eventSeries;
    expect(transitions).toEqual([
      {
        from: 'DRAFT',
        to: 'SCHEDULED',
        actorKind: 'user',
        actorId: people.ownerA!.id,
        reason: 'line-up final',
        occurredAt: expect.any(String),
      },
      {
        from: 'SCHEDULED',
        to: 'ACTIVE',
        actorKind: 'user',
        actorId: people.ownerA!.id,
        reason: null,
        occurredAt: expect.any(String),
      },
      {
        from: 'ACTIVE',
        to: 'CANCELLED',
        actorKind: 'user',
        actorId: people.ownerA!.id,
        reason: 'storm',
        occurredAt: expect.any(String),
      },
    ]);
    const announced = await announcedFor(series.id, 3);
    expect(announced.map((e) => e.payload)).toEqual([
      expect.objectContaining({
        seriesId: series.id,
        organizationId: ids.orgA,
        from: 'DRAFT',
        to: 'SCHEDULED',
        reason: 'line-up final',
        actorKind: 'user',
      }),
      expect.objectContaining({ from: 'SCHEDULED', to: 'ACTIVE', actorId: people.ownerA!.id }),
      expect.objectContaining({ from: 'ACTIVE', to: 'CANCELLED', reason: 'storm' }),
    ]);
  });

  it('rejects illegal moves with a code, and logs nothing for them', async () => {
    const { createEventSeries: series } = await ok('ownerA', Q.create, {
      input: { eventId: ids.eventA, name: 'Strict', ...futureDay(), capacity: 10 },
    });
    const skipping = errorOf(await call('ownerA', Q.transition, { id: series.id, to: 'ACTIVE' }));
    expect(skipping.extensions).toMatchObject({ code: 'ILLEGAL_TRANSITION', from: 'DRAFT', to: 'ACTIVE' });
    expect(codeOf(await call('ownerA', Q.transition, { id: series.id, to: 'DRAFT' }))).toBe('NO_CHANGE');
    await ok('ownerA', Q.transition, { id: series.id, to: 'CANCELLED' });
    expect(codeOf(await call('ownerA', Q.transition, { id: series.id, to: 'SCHEDULED' }))).toBe('ILLEGAL_TRANSITION');
    expect(codeOf(await call('ownerA', Q.setLimit, { id: series.id, category: 'GA', capacity: 1 }))).toBe('SERIES_NOT_EDITABLE');
    expect((await ok('ownerA', Q.get, { id: series.id })).eventSeries.transitions).toHaveLength(1);
  });
});

describe('the scheduler', () => {
  it('activates series whose window opened and completes those that ended; drafts stay', async () => {
    const event = await eventOf('ownerA', ids.orgA!);
    const create = async (name: string, from: number, to: number, opens = from) =>
      (
        await ok('ownerA', Q.create, {
          input: { eventId: event, name, startsAt: hours(from), endsAt: hours(to), checkInOpensAt: hours(opens), capacity: 10 },
        })
      ).createEventSeries.id as string;
    const running = await create('Now', -1, 2);
    const past = await create('Past', -5, -4);
    const draft = await create('Draft', -8, -7);
    const soon = await create('Soon', 3, 5, 2);
    for (const id of [running, past, soon]) await ok('ownerA', Q.transition, { id, to: 'SCHEDULED' });

    const statusOf = async (id: string) => (await ok('ownerA', Q.get, { id })).eventSeries;
    expect(
      (
        await waitFor(
          () => statusOf(running),
          (s) => s.status === 'ACTIVE',
        )
      ).status,
    ).toBe('ACTIVE');
    const completed = await waitFor(
      () => statusOf(past),
      (s) => s.status === 'COMPLETED',
    );
    expect(completed.transitions.map((t: any) => [t.from, t.to, t.actorKind, t.reason])).toEqual([
      ['DRAFT', 'SCHEDULED', 'user', null],
      ['SCHEDULED', 'ACTIVE', 'scheduler', 'check-in window opened'],
      ['ACTIVE', 'COMPLETED', 'scheduler', 'series ended'],
    ]);
    expect((await announcedFor(past, 3)).map((e) => (e.payload as any).actorKind)).toEqual(['user', 'scheduler', 'scheduler']);
    expect((await statusOf(draft)).status).toBe('DRAFT');
    expect((await statusOf(soon)).status).toBe('SCHEDULED');
  });

  it('makes each move once when passes race (replicas) and when a pass runs again', async () => {
    const event = await eventOf('ownerA', ids.orgA!);
    const made = [];
    for (let i = 0; i < 3; i++) {
      const { createEventSeries } = await ok('ownerA', Q.create, {
        input: { eventId: event, name: `Race ${i}`, startsAt: hours(10 + i), endsAt: hours(10.5 + i), capacity: 10 },
      });
      await ok('ownerA', Q.transition, { id: createEventSeries.id, to: 'SCHEDULED' });
      made.push(createEventSeries.id as string);
    }
    // as if three replicas woke up a day later at once, then once more
    const db = platform.subgraphs.access!.db as never;
    const later = new Date(Date.now() + 24 * 3600_000);
    await Promise.all([runSchedulerPass(db, later), runSchedulerPass(db, later), runSchedulerPass(db, later)]);
    expect(await runSchedulerPass(db, later)).toBe(0);
    for (const id of made) {
      const { eventSeries } = await ok('ownerA', Q.get, { id });
      expect(eventSeries.status).toBe('COMPLETED');
      expect(eventSeries.transitions.map((t: any) => `${t.from}>${t.to}`)).toEqual([
        'DRAFT>SCHEDULED',
        'SCHEDULED>ACTIVE',
        'ACTIVE>COMPLETED',
      ]);
      expect(await announcedFor(id, 3)).toHaveLength(3);
    }
  });

  it('catches up after a restart on what fell due while it was down', async () => {
    const event = await eventOf('ownerA', ids.orgA!);
    const { createEventSeries } = await ok('ownerA', Q.create, {
      input: {
        eventId: event,
        name: 'Overnight',
        startsAt: new Date(Date.now() + 1500).toISOString(),
        endsAt: new Date(Date.now() + 3000).toISOString(),
        capacity: 10,
      },
    });
    await ok('ownerA', Q.transition, { id: createEventSeries.id, to: 'SCHEDULED' });
    const bringBack = await platform.takeDown('access');
    await new Promise((resolve) => setTimeout(resolve, 3500));
    await bringBack();
    const series = await waitFor(
      async () => (await ok('ownerA', Q.get, { id: createEventSeries.id })).eventSeries,
      (s) => s?.status === 'COMPLETED',
    );
    expect(series.transitions.map((t: any) => `${t.from}>${t.to}:${t.actorKind}`)).toEqual([
      'DRAFT>SCHEDULED:user',
      'SCHEDULED>ACTIVE:scheduler',
      'ACTIVE>COMPLETED:scheduler',
    ]);
  });
});

describe('recurring series', () => {
  it('generates the children once, across DST, with sequence numbers, limits, gates, entry rule and window', async () => {
    const event = await eventOf('ownerA', ids.orgA!);
    const gate = await gateOf('ownerA', event, 'Stage door');
    // Saturdays and Sundays at 19:00 in Berlin, around the 2027-03-28 change to summer time
    const { createRecurringEventSeries: parent } = await ok('ownerA', Q.createRecurring, {
      input: {
        eventId: event,
        name: 'Night',
        startsAt: '2027-03-20T18:00:00Z',
        endsAt: '2027-03-20T22:00:00Z',
        checkInOpensAt: '2027-03-20T17:00:00Z',
        capacity: 700,
        entryRule: 'SINGLE_ENTRY',
        gateIds: [gate],
        categoryLimits: [
          { category: 'ga', capacity: 600 },
          { category: 'vip', capacity: 100 },
        ],
        recurrence: { frequency: 'WEEKLY', byWeekday: ['SA', 'SU'], count: 4, timeZone: 'Europe/Berlin' },
      },
    });
    expect(parent).toMatchObject({
      status: 'DRAFT',
      recurrence: { frequency: 'WEEKLY', interval: 1, count: 4, until: null, timeZone: 'Europe/Berlin', byWeekday: ['SA', 'SU'] },
    });
    // a template is never scheduled
    expect(codeOf(await call('ownerA', Q.transition, { id: parent.id, to: 'SCHEDULED' }))).toBe('ILLEGAL_TRANSITION');

    const first = (await ok('ownerA', Q.generate, { id: parent.id })).generateSeriesOccurrences;
    expect(first.created).toHaveLength(4);
    expect(first.children.map((c: any) => [c.sequenceNumber, c.name, c.startsAt, c.checkInOpensAt])).toEqual([
      [1, 'Night 1', '2027-03-20T18:00:00.000Z', '2027-03-20T17:00:00.000Z'],
      [2, 'Night 2', '2027-03-21T18:00:00.000Z', '2027-03-21T17:00:00.000Z'],
      [3, 'Night 3', '2027-03-27T18:00:00.000Z', '2027-03-27T17:00:00.000Z'],
      [4, 'Night 4', '2027-03-28T17:00:00.000Z', '2027-03-28T16:00:00.000Z'],
    ]);
    for (const child of first.children) {
      expect(child).toMatchObject({
        status: 'DRAFT',
        capacity: 700,
        entryRule: 'SINGLE_ENTRY',
        gates: [{ id: gate }],
        parent: { id: parent.id },
        categoryLimits: [
          { category: 'GA', capacity: 600, inside: 0, remaining: 600 },
          { category: 'VIP', capacity: 100, inside: 0, remaining: 100 },
        ],
      });
    }
    const again = (await ok('ownerA', Q.generate, { id: parent.id })).generateSeriesOccurrences;
    expect(again.created).toEqual([]);
    expect(again.children.map((c: any) => c.id)).toEqual(first.children.map((c: any) => c.id));

    // a child missing is made again, and only it
    await (platform.subgraphs.access!.db as AccessDb).eventSeries.delete({ where: { id: first.children[2].id } });
    const refill = (await ok('ownerA', Q.generate, { id: parent.id })).generateSeriesOccurrences;
    expect(refill.created).toHaveLength(1);
    expect(refill.children.map((c: any) => c.sequenceNumber)).toEqual([1, 2, 3, 4]);

    // the parent is a template: it overlaps nothing, but its children do
    expect(
      codeOf(
        await call('ownerA', Q.create, {
          input: { eventId: event, name: 'Clash', startsAt: '2027-03-21T19:00:00Z', endsAt: '2027-03-21T20:00:00Z', capacity: 1 },
        }),
      ),
    ).toBe('SERIES_OVERLAP');
  });

  it('refuses a child that would overlap an existing series, and patterns that are too long', async () => {
    const event = await eventOf('ownerA', ids.orgA!);
    await ok('ownerA', Q.create, {
      input: { eventId: event, name: 'One-off', startsAt: '2027-09-03T18:30:00Z', endsAt: '2027-09-03T19:30:00Z', capacity: 1 },
    });
    const { createRecurringEventSeries: parent } = await ok('ownerA', Q.createRecurring, {
      input: {
        eventId: event,
        name: 'Daily',
        startsAt: '2027-09-01T18:00:00Z',
        endsAt: '2027-09-01T20:00:00Z',
        capacity: 10,
        recurrence: { frequency: 'DAILY', until: '2027-09-05T23:00:00Z', timeZone: 'Europe/Berlin' },
      },
    });
    const clash = errorOf(await call('ownerA', Q.generate, { id: parent.id }));
    expect(clash.extensions?.code).toBe('SERIES_OVERLAP');
    expect(clash.message).toContain('"One-off"');
    // nothing half-made
    expect(
      (await ok('ownerA', `query($id: ID!) { eventSeries(id: $id) { children { id } } }`, { id: parent.id })).eventSeries
        .children,
    ).toEqual([]);

    const tooLong = await call('ownerA', Q.createRecurring, {
      input: {
        eventId: event,
        name: 'Forever',
        startsAt: '2028-01-01T18:00:00Z',
        endsAt: '2028-01-01T20:00:00Z',
        capacity: 10,
        recurrence: { frequency: 'DAILY', until: '2030-01-01T00:00:00Z', timeZone: 'Europe/Berlin' },
      },
    });
    expect(codeOf(tooLong)).toBe('RECURRENCE_TOO_LONG');
    const both = await call('ownerA', Q.createRecurring, {
      input: {
        eventId: event,
        name: 'Both',
        startsAt: '2028-01-01T18:00:00Z',
        endsAt: '2028-01-01T20:00:00Z',
        capacity: 10,
        recurrence: { frequency: 'DAILY', count: 2, until: '2028-02-01T00:00:00Z', timeZone: 'Nowhere/Special' },
      },
    });
    expect(errorOf(both).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recurrence.count' });
  });
});

describe('one organisation never reaches another’s series', () => {
  let keyB: string;
  beforeAll(async () => {
    const { createPartnerApp } = await ok(
      'ownerB',
      `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "B site", whiteLabel: { brandName: "B", primaryColor: "#000000" }) { id } }`,
      { o: ids.orgB },
    );
    const { createApiKey } = await ok(
      'ownerB',
      `mutation($app: ID!) { createApiKey(partnerAppId: $app, name: "B key", scopes: ["org:read", "org:write"]) { secret } }`,
      { app: createPartnerApp.id },
    );
    keyB = createApiKey.secret;
  });

  it('reads nothing of it: series, limits, transitions, parent, children, through the event', async () => {
    const recurring = await ok('ownerA', Q.createRecurring, {
      input: {
        eventId: ids.eventA,
        name: 'Secret',
        ...futureDay(),
        capacity: 1,
        recurrence: { frequency: 'DAILY', count: 1, timeZone: 'UTC' },
      },
    });
    ids.parentA = recurring.createRecurringEventSeries.id;
    const query = `query($s: ID!, $p: ID!, $e: ID!) {
      s: eventSeries(id: $s) { id categoryLimits { category } transitions { reason } }
      p: eventSeries(id: $p) { id children { id } recurrence { timeZone } }
      event(id: $e) { series { id } }
    }`;
    const variables = { s: ids.day1, p: ids.parentA, e: ids.eventA };
    for (const token of [people.ownerB!.accessToken, keyB]) {
      const { body } = await platform.request<any>(query, variables, { token });
      expect(body.data?.s).toBeNull();
      expect(body.data?.p).toBeNull();
      expect(body.data?.event?.series ?? []).toEqual([]);
    }
  });

  it('changes nothing of it: every series mutation answers NOT_FOUND, as for a missing record', async () => {
    const day = futureDay();
    const attempts: Array<[string, Record<string, unknown>, string]> = [
      [Q.create, { input: { eventId: ids.eventA, name: 'Intruder', ...day, capacity: 1 } }, 'NOT_FOUND'],
      [
        Q.createRecurring,
        {
          input: {
            eventId: ids.eventA,
            name: 'Intruder',
            ...day,
            capacity: 1,
            recurrence: { frequency: 'DAILY', count: 1, timeZone: 'UTC' },
          },
        },
        'NOT_FOUND',
      ],
      [Q.update, { id: ids.day1, input: { capacity: 1 } }, 'NOT_FOUND'],
      [Q.transition, { id: ids.day1, to: 'CANCELLED', reason: 'mine now' }, 'NOT_FOUND'],
      [Q.setGates, { id: ids.day1, gates: [] }, 'NOT_FOUND'],
      [Q.setLimit, { id: ids.day1, category: 'GA', capacity: 0 }, 'NOT_FOUND'],
      [Q.removeLimit, { id: ids.day1, category: 'GA' }, 'NOT_FOUND'],
      [Q.generate, { id: ids.parentA }, 'NOT_FOUND'],
      // a gate of the other organisation is as unknown as a missing one
      [Q.create, { input: { eventId: ids.eventB, name: 'B day', ...day, capacity: 1, gateIds: [ids.gateMain] } }, 'NOT_FOUND'],
    ];
    for (const token of [people.ownerB!.accessToken, keyB]) {
      for (const [query, variables, code] of attempts) {
        const { body } = await platform.request(query, variables, { token });
        expect([query.slice(0, 40), codeOf(body as Body)]).toEqual([query.slice(0, 40), code]);
      }
    }
    const { createEventSeries: own } = await ok('ownerB', Q.create, {
      input: { eventId: ids.eventB, name: 'B day', ...day, capacity: 1 },
    });
    expect(codeOf(await call('ownerB', Q.setGates, { id: own.id, gates: [ids.gateMain] }))).toBe('NOT_FOUND');
    // and A's series are as they were
    const { eventSeries } = await ok('ownerA', Q.get, { id: ids.day1 });
    expect(eventSeries).toMatchObject({ status: 'DRAFT', capacity: 10_700, gates: [{ id: ids.gateVip }] });
    expect(eventSeries.categoryLimits.map((l: any) => l.category)).toEqual(['GA', 'VIP']);
  });
});
