import { TicketAvailabilityChangedDocument } from '@eventgraph/sdk';
import { print } from 'graphql';
import { as, createOrganization, type Account } from './support/accounts';
import { startTestPlatform, subscribe, type GraphQLResponse, type TestPlatform } from './support/test-platform';
import { eventOnSale, person } from './support/ticket-sales';

/**
 * Live availability through the real gateway over graphql-ws: each change of what is left of a ticket type
 * (hold, release, expiry released by the scheduler, booking, cancellation, the type changed) reaches the
 * event's subscribers as they may see it: the organisation every type, anyone else the public ones (hidden
 * ones only with their code), subscribers of another event nothing. CI runs it on PGlite and on PostgreSQL
 * with NATS.
 */
let platform: TestPlatform;
const people = {} as Record<'owner' | 'buyer' | 'watcher', Account>;
const ids = {} as { org: string; event: string; otherEvent: string; ga: string; vip: string; otherGa: string };
let previousInterval: string | undefined;

const LIVE = print(TicketAvailabilityChangedDocument);
const STAFF_LIVE = `subscription($eventId: ID!) { ticketAvailabilityChanged(eventId: $eventId) { id available sold held visibility } }`;
const Q = {
  createType: `mutation($input: CreateTicketTypeInput!) { createTicketType(input: $input) { id } }`,
  updateType: `mutation($id: ID!, $input: UpdateTicketTypeInput!) { updateTicketType(id: $id, input: $input) { id } }`,
  hold: `mutation($input: CreateHoldInput!) { createHold(input: $input) { id } }`,
  release: `mutation($id: ID!) { releaseHold(id: $id) { status } }`,
  confirm: `mutation($holdId: ID!, $key: String!) { confirmHold(holdId: $holdId, clientKey: $key) { id } }`,
  cancel: `mutation($id: ID!) { cancelBooking(id: $id) { status } }`,
};

async function ok(who: Account, query: string, variables: Record<string, unknown> = {}) {
  const { body } = await as(platform, who)(query, variables);
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data as Record<string, any>;
}
const type = (eventId: string, name: string, extra: Record<string, unknown> = {}) =>
  ok(people.owner, Q.createType, {
    input: { eventId, name, priceMinor: 2500, currency: 'EUR', quantity: 10, maxPerOrder: 5, categories: ['GA'], ...extra },
  }).then((d) => d.createTicketType.id as string);
const hold = (eventId: string, ticketTypeId: string, quantity: number, accessCode?: string) =>
  ok(people.buyer, Q.hold, { input: { eventId, items: [{ ticketTypeId, quantity }], accessCode } }).then(
    (d) => d.createHold.id as string,
  );
/** a change of the type that announces it without changing what is left */
let touches = 0;
const touch = (id: string) => ok(people.owner, Q.updateType, { id, input: { maxPerOrder: 4 + (touches++ % 2) } });

type Stream = ReturnType<typeof subscribe>;
const seen = (stream: Stream) =>
  stream.results.map((r) => {
    if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
    return (r.data as Record<string, any>).ticketAvailabilityChanged as Record<string, any>;
  });
const last = (stream: Stream) => seen(stream).at(-1)!;

/** Subscribes with `who`'s token, then touches `typeId` until a change reaches the stream (the upstream opens asynchronously). */
async function watch(who: Account, query: string, variables: Record<string, unknown>, typeId: string) {
  const stream = subscribe(platform.wsClient({ authorization: `Bearer ${who.accessToken}` }), query, variables);
  const deadline = Date.now() + 15_000;
  while (stream.results.length === 0) {
    if (stream.error || stream.completed) throw new Error(`subscription ended: ${JSON.stringify(stream.error)}`);
    if (Date.now() > deadline) throw new Error('no availability change reached the subscriber');
    await touch(typeId);
    await stream.next(1, 750).catch(() => undefined);
  }
  return stream;
}

/**
 * Waits (at most 10 s) for a result of `stream` after the `from`th that shows `typeId` with `expected`, and
 * returns it; results for other types, or earlier states of it, may come before.
 */
async function reaches(stream: Stream, typeId: string, expected: Record<string, unknown>, from = 0) {
  const deadline = Date.now() + 10_000;
  for (let count = from + 1; ; count++) {
    await stream.next(count, Math.max(1, deadline - Date.now())).catch((err: Error) => {
      throw new Error(`${typeId} never showed ${JSON.stringify(expected)}: ${err.message}; saw ${JSON.stringify(seen(stream))}`);
    });
    const shown = seen(stream)[count - 1]!;
    if (shown.id === typeId && Object.entries(expected).every(([key, value]) => shown[key] === value)) return shown;
  }
}

beforeAll(async () => {
  previousInterval = process.env.ACCESS_SCHEDULER_INTERVAL_MS;
  process.env.ACCESS_SCHEDULER_INTERVAL_MS = '200';
  platform = await startTestPlatform({ callerPolicies: {} as never });
  for (const name of ['owner', 'buyer', 'watcher'] as const) people[name] = await person(platform, name);
  ids.org = await createOrganization(platform, people.owner, 'live');
  const asOwner = (query: string, variables: Record<string, unknown>) => ok(people.owner, query, variables);
  ids.event = await eventOnSale(platform, asOwner, ids.org, 1000);
  ids.otherEvent = await eventOnSale(platform, asOwner, ids.org, 1000);
  ids.ga = await type(ids.event, 'GA');
  ids.vip = await type(ids.event, 'VIP', { visibility: 'HIDDEN', accessCode: 'friends-only', categories: ['VIP'] });
  ids.otherGa = await type(ids.otherEvent, 'GA');
}, 240_000);
jest.setTimeout(120_000);
afterAll(async () => {
  await platform?.stop();
  if (previousInterval === undefined) delete process.env.ACCESS_SCHEDULER_INTERVAL_MS;
  else process.env.ACCESS_SCHEDULER_INTERVAL_MS = previousInterval;
});

describe('ticketAvailabilityChanged', () => {
  it('shows availability drop on a hold and rise on its release, hidden types only to the organisation and to their code', async () => {
    const staff = await watch(people.owner, STAFF_LIVE, { eventId: ids.event }, ids.ga);
    const visitor = await watch(people.watcher, LIVE, { eventId: ids.event }, ids.ga);
    const friend = await watch(people.buyer, LIVE, { eventId: ids.event, accessCode: 'friends-only' }, ids.ga);
    const elsewhere = await watch(people.watcher, LIVE, { eventId: ids.otherEvent }, ids.otherGa);
    const elsewhereBefore = elsewhere.results.length;

    const holdId = await hold(ids.event, ids.ga, 3);
    await reaches(staff, ids.ga, { available: 7, sold: 0, held: 3 });
    for (const stream of [visitor, friend]) expect(await reaches(stream, ids.ga, { available: 7 })).not.toHaveProperty('sold');
    await ok(people.buyer, Q.release, { id: holdId });
    await reaches(staff, ids.ga, { available: 10, held: 0 });
    for (const stream of [visitor, friend]) await reaches(stream, ids.ga, { available: 10 }, stream.results.length - 1);

    // the hidden type: the organisation and a subscriber with its code see it, the public never
    await hold(ids.event, ids.vip, 2, 'friends-only');
    await reaches(staff, ids.vip, { available: 8, held: 2, visibility: 'HIDDEN' });
    await reaches(friend, ids.vip, { available: 8, name: 'VIP' });
    await hold(ids.event, ids.ga, 1); // a later public change: the public stream has had time for anything before it
    await reaches(visitor, ids.ga, { available: 9 });
    expect(seen(visitor).map((t) => t.id)).not.toContain(ids.vip);
    expect(JSON.stringify(visitor.results)).not.toContain('VIP');

    // nothing of this event reached the other event's subscriber
    await touch(ids.otherGa);
    await reaches(elsewhere, ids.otherGa, {}, elsewhereBefore);
    expect(seen(elsewhere).every((t) => t.id === ids.otherGa)).toBe(true);
  });

  it('follows bookings, their cancellation and expired holds released by the scheduler', async () => {
    const staff = await watch(people.owner, STAFF_LIVE, { eventId: ids.event }, ids.ga);
    const before = last(staff);
    const { available, sold, held } = before as { available: number; sold: number; held: number };
    const holdId = await hold(ids.event, ids.ga, 2);
    await reaches(staff, ids.ga, { available: available - 2, sold, held: held + 2 });
    const { confirmHold } = await ok(people.buyer, Q.confirm, { holdId, key: `live-${Date.now()}` });
    await reaches(staff, ids.ga, { available: available - 2, sold: sold + 2, held });
    await ok(people.buyer, Q.cancel, { id: confirmHold.id });
    await reaches(staff, ids.ga, { available, sold, held });

    // a hold past its expiry counts as free at once; the scheduler's release takes it out of `held` and says so
    const expiring = await hold(ids.event, ids.ga, 1);
    await reaches(staff, ids.ga, { available: available - 1, held: held + 1 });
    await platform.subgraphs.access!.sql.execute(
      `UPDATE "Hold" SET "expiresAt" = now() - interval '1 second' WHERE id = $1::uuid`,
      [expiring],
    );
    await reaches(staff, ids.ga, { available, sold, held });
  });

  it('refuses an event the caller may not see (NOT_FOUND)', async () => {
    const stream = subscribe(platform.wsClient({ authorization: `Bearer ${people.watcher.accessToken}` }), LIVE, {
      eventId: '00000000-0000-4000-8000-000000000000',
    });
    const result = await stream.next(1, 10_000).catch(() => ({ errors: stream.error as GraphQLResponse<unknown>['errors'] }));
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
