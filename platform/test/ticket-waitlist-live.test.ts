import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { print } from 'graphql';
import { MyWaitlistEntryChangedDocument } from '@eventgraph/sdk';
import { createWebhookReceiver, type WebhookEvent } from '../../examples/webhook-receiver';
import { startTestPlatform, subscribe, type TestPlatform } from './support/test-platform';
import { until } from './support/ticket-sales';
import {
  call,
  entryOf,
  held,
  holdOf,
  join,
  ok,
  startSale,
  ticketType,
  typeState,
  WAITLIST_Q as Q,
  type Sale,
} from './support/waitlist';

/**
 * The waitlist live: a waiting buyer's own entry over graphql-ws through the gateway (place in line, then the
 * offer), nothing of it to anyone else; `waitlist.offered` signed to the organisation's webhook receiver (a real
 * one on 127.0.0.1); and returned tickets racing dozens of fresh holds, all of which go to the line. CI runs it
 * on PGlite and on PostgreSQL with NATS.
 */
let platform: TestPlatform;
let sale: Sale;
let receiver: Server | undefined;
const delivered: WebhookEvent[] = [];
let secret = 'unset';
const savedEnv = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, { ACCESS_SCHEDULER_INTERVAL_MS: '200', WEBHOOK_POLL_INTERVAL_MS: '50' });
  platform = await startTestPlatform({ callerPolicies: {} as never });
  sale = await startSale(platform, ['holder', 'ahead', 'waiter', 'other', ...Array.from({ length: 40 }, (_, i) => `fresh${i}`)]);
}, 240_000);
jest.setTimeout(120_000);
afterAll(async () => {
  await platform?.stop();
  if (receiver) {
    const closed = new Promise((resolve) => receiver!.close(resolve));
    receiver.closeAllConnections();
    await closed;
  }
  process.env = savedEnv;
});

type Stream = ReturnType<typeof subscribe>;
const entries = (stream: Stream) =>
  stream.results.map((r) => {
    if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
    return (r.data as Record<string, any>).myWaitlistEntryChanged as Record<string, any>;
  });

/** Waits (10 s at most) for an entry of `stream` matching `expected`. */
async function reaches(stream: Stream, expected: Record<string, unknown>) {
  const deadline = Date.now() + 10_000;
  for (let count = 1; ; count++) {
    await stream.next(count, Math.max(1, deadline - Date.now())).catch((err: Error) => {
      throw new Error(`never saw ${JSON.stringify(expected)}: ${err.message}; saw ${JSON.stringify(entries(stream))}`);
    });
    const entry = entries(stream)[count - 1]!;
    if (Object.entries(expected).every(([key, value]) => entry[key] === value)) return entry;
  }
}

/** Subscribes as `who`, then joins `t` (leaving and joining again) until the joining reaches the stream. */
async function joinWatched(who: string, t: string) {
  const stream = subscribe(
    platform.wsClient({ authorization: `Bearer ${sale.people[who]!.accessToken}` }),
    print(MyWaitlistEntryChangedDocument),
  );
  const deadline = Date.now() + 15_000;
  while (stream.results.length === 0) {
    if (stream.error || stream.completed) throw new Error(`subscription ended: ${JSON.stringify(stream.error)}`);
    if (Date.now() > deadline) throw new Error('no waitlist change reached the subscriber');
    await call(sale, who, Q.leave, { t });
    await join(sale, who, t, 1);
    await stream.next(1, 750).catch(() => undefined);
  }
  return stream;
}

describe('myWaitlistEntryChanged', () => {
  it('tells a waiting buyer their place as it changes and the offer when it comes, and nobody else', async () => {
    const t = await ticketType(sale, 1);
    const holdId = await held(sale, 'holder', t, 1);
    await join(sale, 'ahead', t, 1);
    // someone else in another line, listening too: they must hear only of their own entry
    const elsewhere = await ticketType(sale, 1);
    await held(sale, 'holder', elsewhere, 1);
    const other = await joinWatched('other', elsewhere);
    const waiter = await joinWatched('waiter', t);
    const mine = await reaches(waiter, { status: 'WAITING', position: 2 });
    expect(mine).toMatchObject({ ticketType: { id: t }, offer: null });

    await ok(sale, 'ahead', Q.leave, { t });
    await reaches(waiter, { id: mine.id, status: 'WAITING', position: 1 });
    await ok(sale, 'holder', Q.release, { id: holdId });
    const offered = await reaches(waiter, { id: mine.id, status: 'OFFERED', position: 1 });
    expect(offered.offer.id).toEqual(expect.any(String));
    expect(Date.parse(offered.offerExpiresAt)).toBe(Date.parse(offered.offer.expiresAt));
    await ok(sale, 'waiter', Q.confirm, { holdId: offered.offer.id, key: `live-${mine.id}` });
    await reaches(waiter, { id: mine.id, status: 'BOOKED', position: null });

    const otherIds = new Set(entries(other).map((e) => e.id));
    expect(otherIds.has(mine.id)).toBe(false);
    expect(entries(other).every((e) => e.ticketType.id === elsewhere)).toBe(true);
    waiter.unsubscribe();
    other.unsubscribe();
  });

  it('is refused to callers who do not buy (anonymous)', async () => {
    const stream = subscribe(platform.wsClient({}), print(MyWaitlistEntryChangedDocument));
    await stream.next(1, 10_000).catch(() => undefined);
    const errors = (stream.results[0]?.errors ?? (stream.error as any[])) as Array<{ extensions?: { code?: string } }>;
    expect(errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('waitlist.offered', () => {
  it('reaches the organisation’s webhook receiver, signed', async () => {
    receiver = createWebhookReceiver({ secret: () => secret, onEvent: (event) => void delivered.push(event) });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const { createWebhookEndpoint } = await ok(
      sale,
      'owner',
      `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret } }`,
      { i: { organizationId: sale.org, url, eventTypes: ['waitlist.offered'] } },
    );
    secret = createWebhookEndpoint.secret;
    const t = await ticketType(sale, 2);
    const holdId = await held(sale, 'holder', t, 2);
    const entry = await join(sale, 'waiter', t, 2);
    await ok(sale, 'holder', Q.release, { id: holdId });
    const offer = (await entryOf(sale, 'waiter', t))!.offer;
    await until('the waitlist.offered delivery', async () => delivered.some((e) => e.data.entryId === entry.id));
    const event = delivered.find((e) => e.data.entryId === entry.id)!;
    expect(event.type).toBe('waitlist.offered');
    expect(event.data).toMatchObject({
      organizationId: sale.org,
      ticketTypeId: t,
      eventId: sale.event,
      buyerKind: 'user',
      buyerId: sale.people.waiter!.id,
      quantity: 2,
      holdId: offer.id,
    });
  });
});

describe('fairness', () => {
  it('tickets returned while dozens of fresh buyers hold at once all go to the line', async () => {
    const t = await ticketType(sale, 4, { maxPerOrder: 1 });
    const holds = [];
    for (let i = 0; i < 4; i++) holds.push(await held(sale, 'holder', t, 1));
    const line = ['ahead', 'waiter', 'other', 'holder'];
    for (const who of line) await join(sale, who, t, 1);
    const fresh = Array.from({ length: 40 }, (_, i) => `fresh${i}`);
    const results = await Promise.all([
      ...holds.map((id) => ok(sale, 'holder', Q.release, { id })),
      ...fresh.map((who) => holdOf(sale, who, t, 1)),
    ]);
    const freshHolds = results.slice(holds.length) as Array<{ errors?: Array<{ extensions?: { code?: string } }> }>;
    expect(freshHolds.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(fresh.map(() => 'SOLD_OUT'));
    for (const who of line) expect((await entryOf(sale, who, t))!.status).toBe('OFFERED');
    expect(await typeState(sale, t)).toMatchObject({ available: 0, sold: 0, held: 4, waiting: 0 });
    const [row] = await platform.subgraphs.access!.sql.query<{ offers: number }>(
      `SELECT count(*)::int AS offers FROM "WaitlistEntry" WHERE "ticketTypeId" = $1::uuid AND "holdId" IS NOT NULL`,
      [t],
    );
    expect(row!.offers).toBe(4);
  });
});
