import type { Client } from 'graphql-ws';
import { PROBES } from '../src/roles';
import { createOrganisationWithEvent } from './support/demo-data';
import {
  counterSum,
  gatewayClient,
  replicaData,
  startWebhookReceiver,
  type GatewayClient,
  type WebhookReceiver,
} from './support/deployment-clients';
import { sleep, startDeployment, type Deployment } from './support/process-deployment';
import { subscribe } from './support/test-platform';
import { killMidLoad } from './support/kill-mid-load';

/*
 * Scale-out, proven: two gateways and two replicas of every subgraph, each its own OS process started by the
 * role program the image runs, on one PostgreSQL database, the NATS JetStream bus and Redis rate limits.
 * PostgreSQL pass only (jest.config.js: it needs the server, NATS and Redis).
 */
const SERVER_URL = process.env.DATABASE_URL!;
const HOUR = 3600_000;
const CHECK_IN = `mutation($input: CheckInInput!) { checkIn(input: $input) { id allowed reason } }`;
const CREATE_SERIES = `mutation($input: CreateEventSeriesInput!) { createEventSeries(input: $input) { id } }`;
const TRANSITION = `mutation($id: ID!, $to: SeriesStatus!) { transitionEventSeries(id: $id, to: $to) { status } }`;

let deployment: Deployment;
let gateways: GatewayClient[];
let receiver: WebhookReceiver;
const wsClients: Client[] = [];
let world: Awaited<ReturnType<typeof createOrganisationWithEvent>>;
const WINDOW = { startsAt: '2027-07-01T14:00:00Z', endsAt: '2027-07-03T23:00:00Z' };

/** A new event of the world's organisation with a gate, and a series of it open for check-in now, ACTIVE. */
async function activeSeries(capacity: number, gateway = gateways[0]!) {
  const { createEvent } = await gateway.data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
    input: {
      venueId: world.venue.id,
      title: `Stage ${capacity}`,
      slug: `stage-${Math.random().toString(36).slice(2)}`,
      ...WINDOW,
    },
  });
  const { createGate } = await gateway.data(`mutation($input: CreateGateInput!) { createGate(input: $input) { id } }`, {
    input: { eventId: createEvent.id, name: 'Main', direction: 'BOTH' },
  });
  const { createEventSeries } = await gateway.data(CREATE_SERIES, {
    input: {
      eventId: createEvent.id,
      name: 'Now',
      startsAt: new Date(Date.now() - HOUR).toISOString(),
      endsAt: new Date(Date.now() + 24 * HOUR).toISOString(),
      capacity,
      gateIds: [createGate.id],
    },
  });
  // scheduled with its window open: the schedulers make it ACTIVE (a transition by hand would race them)
  await gateways[1]!.data(TRANSITION, { id: createEventSeries.id, to: 'SCHEDULED' });
  for (const deadline = Date.now() + 15_000; ; await sleep(100)) {
    const { eventSeries } = await gateway.data(`query($id: ID!) { eventSeries(id: $id) { status } }`, {
      id: createEventSeries.id,
    });
    if (eventSeries.status === 'ACTIVE') break;
    if (Date.now() > deadline) throw new Error(`series still ${eventSeries.status}`);
  }
  return { eventId: createEvent.id as string, gateId: createGate.id as string, seriesId: createEventSeries.id as string };
}

/** A new event of the world's organisation at a venue of `capacity`, moved to ON_SALE. */
async function eventOnSale(gateway: GatewayClient, capacity: number) {
  const slug = `sale-${Math.random().toString(36).slice(2)}`;
  const { createVenue } = await gateway.data(`mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, {
    input: { organizationId: world.org.id, name: 'Arena', slug, timeZone: 'Europe/Berlin', maxCapacity: capacity },
  });
  const { createEvent } = await gateway.data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
    input: { venueId: createVenue.id, title: 'On sale', slug, ...WINDOW },
  });
  for (const to of ['PUBLISHED', 'ON_SALE'])
    await gateway.data(`mutation($id: ID!, $to: EventStatus!) { transitionEvent(id: $id, to: $to) { status } }`, {
      id: createEvent.id,
      to,
    });
  return { eventId: createEvent.id as string, venueId: createVenue.id as string };
}

/** A ticket type of the event, once the event has reached access over the bus (before, it is NOT_FOUND). */
async function ticketTypeOf(eventId: string, quantity: number): Promise<string> {
  for (const deadline = Date.now() + 15_000; ; await sleep(100)) {
    const { body } = await gateways[1]!.request(
      `mutation($input: CreateTicketTypeInput!) { createTicketType(input: $input) { id } }`,
      { input: { eventId, name: 'GA', priceMinor: 4500, currency: 'EUR', quantity, maxPerOrder: 2, categories: ['GA'] } },
    );
    if (body.data?.createTicketType) return body.data.createTicketType.id;
    if (Date.now() > deadline) throw new Error(`no ticket type: ${JSON.stringify(body.errors)}`);
  }
}

const scan = (gateway: GatewayClient, series: { seriesId: string; gateId: string }, nfcId: string) =>
  gateway.data<{ checkIn: { id: string; allowed: boolean } }>(CHECK_IN, {
    input: { seriesId: series.seriesId, gateId: series.gateId, nfcId, direction: 'ENTRY' },
  });

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  deployment = await startDeployment({
    replicas: 2,
    serverUrl: SERVER_URL,
    env: {
      ACCESS_SCHEDULER_INTERVAL_MS: '100',
      WEBHOOK_POLL_INTERVAL_MS: '50',
      WEBHOOK_PRIVATE_TARGETS: 'allow',
      // a killed replica's claim on a delivery runs out 30 s after this
      WEBHOOK_TIMEOUT_MS: '2000',
      // the gateways sit behind a load balancer: X-Forwarded-For names the client (the rate-limit test's callers)
      EVENTGRAPH_TRUSTED_PROXY_HOPS: '1',
    },
  });
  gateways = deployment.gateways.map((g) => gatewayClient(g, deployment.devToken, wsClients));
  world = await createOrganisationWithEvent(gateways[0]!);
  await gateways[0]!.data(
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`,
    { input: { organizationId: world.org.id, url: receiver.url, eventTypes: ['checkin.recorded', 'series.transitioned'] } },
  );
}, 240_000);

afterAll(async () => {
  await Promise.all(wsClients.map((c) => c.dispose()));
  await deployment?.cleanUp();
  await receiver?.close();
}, 60_000);

it('serves the probes the manifests name, on every process', async () => {
  const processes = [...deployment.gateways, ...Object.values(deployment.replicas).flat()];
  for (const path of [PROBES.liveness, PROBES.readiness])
    expect(await Promise.all(processes.map(async (p) => [p.name, (await fetch(`${p.origin}${path}`)).status]))).toEqual(
      processes.map((p) => [p.name, 200]),
    );
});

it('delivers a subscription opened on either gateway the events produced through either', async () => {
  const series = await activeSeries(10_000);
  const query = `subscription($s: ID!) { checkInRecorded(seriesId: $s) { nfcId series { event { title organization { name } } } } }`;
  const subscriptions = gateways.map((g) => subscribe(g.ws(), query, { s: series.seriesId }));
  // a subscription is live once it has seen something: scan until both have (the upstream joins the bus first)
  for (let i = 0; subscriptions.some((s) => s.results.length === 0); i++) {
    if (i > 100) throw new Error('the subscriptions never went live');
    await scan(gateways[i % 2]!, series, `WARM-${i}`);
    await sleep(100);
  }
  const produced = ['VIA-A-1', 'VIA-B-1', 'VIA-A-2', 'VIA-B-2'];
  for (const [i, nfcId] of produced.entries()) await scan(gateways[i % 2]!, series, nfcId);
  for (const subscription of subscriptions) {
    const deadline = Date.now() + 10_000;
    const seen = () => subscription.results.map((r) => r.data?.checkInRecorded?.nfcId);
    while (!produced.every((id) => seen().includes(id)) && Date.now() < deadline) await sleep(50);
    expect(seen()).toEqual(expect.arrayContaining(produced));
    // the rest of each event's selection was resolved across the other subgraphs by that gateway
    expect(subscription.results.at(-1)!.data!.checkInRecorded.series.event).toEqual({
      title: 'Stage 10000',
      organization: { name: world.org.name },
    });
    subscription.unsubscribe();
  }
});

it('shares one rate limit per caller across both gateways (Redis)', async () => {
  const client = { 'x-forwarded-for': `127.66.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` };
  const started = Date.now();
  const statuses = await Promise.all(
    Array.from({ length: 160 }, (_, i) =>
      gateways[i % 2]!.request('{ __typename }', undefined, client).then((r) => [i % 2, r.status]),
    ),
  );
  const admitted = statuses.filter(([, status]) => status === 200).length;
  // the anonymous bucket holds 120 and refills 2 a second; two gateways counting alone would admit all 160
  const refilled = Math.ceil(((Date.now() - started) / 1000) * 2);
  expect(admitted).toBeGreaterThanOrEqual(120);
  expect(admitted).toBeLessThanOrEqual(Math.min(120 + refilled + 1, 159));
  // both gateways admitted from the one bucket (which of them the refusals fell on is the race's luck)
  for (const gateway of [0, 1]) expect(statuses).toContainEqual([gateway, 200]);
  expect(statuses.filter(([, status]) => status === 429)).toHaveLength(160 - admitted);
});

it('never oversells a capacity raced across both access replicas', async () => {
  const capacity = 25;
  const series = await activeSeries(capacity);
  const { seriesId } = series;
  const nfcIds = Array.from({ length: 80 }, (_, i) => `RACE-${i}`);
  const { importWristbands } = await gateways[0]!.data(
    `mutation($e: ID!, $csv: String!) { importWristbands(eventId: $e, csv: $csv, allOrNothing: true) { committed failed } }`,
    { e: series.eventId, csv: ['nfc_id,category,series', ...nfcIds.map((id) => `${id},ga,${seriesId}`)].join('\n') },
  );
  expect(importWristbands).toEqual({ committed: true, failed: 0 });
  const mutationsOf = () =>
    Promise.all(
      deployment.replicas.access.map((r) => counterSum(r.origin, 'eventgraph_graphql_requests_total', 'type="mutation"')),
    );
  const before = await mutationsOf();
  const answers = await Promise.all(nfcIds.map((nfcId, i) => scan(gateways[i % 2]!, series, nfcId)));
  const after = await mutationsOf();

  expect(answers.filter((a) => a.checkIn.allowed)).toHaveLength(capacity);
  const { rows } = await deployment.db.query(
    `SELECT count(*) FILTER (WHERE "allowed")::int AS "allowed", count(*)::int AS "scans" FROM "access"."CheckIn" WHERE "seriesId" = $1`,
    [seriesId],
  );
  expect(rows[0]).toEqual({ allowed: capacity, scans: nfcIds.length });
  const { seriesMetrics } = await gateways[1]!.data(
    `query($s: ID!) { seriesMetrics(seriesId: $s) { insideNow capacityRemaining } }`,
    {
      s: seriesId,
    },
  );
  expect(seriesMetrics).toEqual({ insideNow: capacity, capacityRemaining: 0 });
  // both replicas took part in the race
  after.forEach((count, i) => expect(count).toBeGreaterThan(before[i]!));
});

it('never oversells a ticket type raced across both access replicas, and books each winner once', async () => {
  const inventory = 25;
  const holds = 200;
  const { eventId } = await eventOnSale(gateways[0]!, 500);
  const ticketTypeId = await ticketTypeOf(eventId, inventory);
  const mutationsOf = () =>
    Promise.all(
      deployment.replicas.access.map((r) => counterSum(r.origin, 'eventgraph_graphql_requests_total', 'type="mutation"')),
    );
  const before = await mutationsOf();
  const answers = await Promise.all(
    Array.from({ length: holds }, (_, i) =>
      gateways[i % 2]!.request(`mutation($input: CreateHoldInput!) { createHold(input: $input) { id } }`, {
        input: { eventId, items: [{ ticketTypeId, quantity: 1 }] },
      }),
    ),
  );
  const won = answers.flatMap((a) => (a.body.data?.createHold ? [a.body.data.createHold.id as string] : []));
  expect(won).toHaveLength(inventory);
  expect(new Set(answers.flatMap((a) => (a.body.errors ?? []).map((e) => e.extensions?.code)))).toEqual(new Set(['SOLD_OUT']));
  // each winner confirms through both gateways at once with one key: one booking each
  const confirmations = await Promise.all(
    won.flatMap((holdId) =>
      gateways.map((g) =>
        g.request(`mutation($h: ID!, $k: String!) { confirmHold(holdId: $h, clientKey: $k) { id } }`, {
          h: holdId,
          k: `scale-${holdId}`,
        }),
      ),
    ),
  );
  expect(confirmations.filter((c) => c.body.errors)).toEqual([]);
  expect(new Set(confirmations.map((c) => c.body.data!.confirmHold.id)).size).toBe(inventory);
  const after = await mutationsOf();
  const { rows } = await deployment.db.query(
    `SELECT t.sold, t.held, (SELECT count(*)::int FROM "access"."Ticket" k WHERE k."ticketTypeId" = t.id) AS tickets
     FROM "access"."TicketType" t WHERE t.id = $1::uuid`,
    [ticketTypeId],
  );
  expect(rows[0]).toEqual({ sold: inventory, held: 0, tickets: inventory });
  after.forEach((count, i) => expect(count).toBeGreaterThan(before[i]!));
});

it('holds each seat once when holds for the same seats race across both access replicas', async () => {
  const { eventId, venueId } = await eventOnSale(gateways[0]!, 500);
  const ticketTypeId = await ticketTypeOf(eventId, 4);
  const { createSeatMap } = await gateways[0]!.data(
    `mutation($input: CreateSeatMapInput!) { createSeatMap(input: $input) { id } }`,
    { input: { venueId, name: 'Front', rows: [{ section: 'Stalls', row: 'A', numbers: ['1', '2', '3', '4'], category: 'GA' }] } },
  );
  await gateways[1]!.data(`mutation($input: AssignSeatMapInput!) { assignSeatMap(input: $input) { id } }`, {
    input: { eventId, seatMapId: createSeatMap.id, ticketTypes: [{ category: 'GA', ticketTypeId }] },
  });
  const { event } = await gateways[0]!.data(
    `query($e: ID!) { event(id: $e) { seats(first: 10) { edges { node { seatId } } } } }`,
    {
      e: eventId,
    },
  );
  const seats: string[] = event.seats.edges.map((e: { node: { seatId: string } }) => e.node.seatId);
  expect(seats).toHaveLength(4);
  // overlapping pairs (A1+A2, A2+A3, A3+A4), each asked for again and again through both gateways at once
  const pairs = [0, 1, 2].map((i) => seats.slice(i, i + 2));
  const answers = await Promise.all(
    Array.from({ length: 150 }, (_, i) =>
      gateways[i % 2]!.request(`mutation($input: CreateHoldInput!) { createHold(input: $input) { id seats { seatId } } }`, {
        input: { eventId, items: [{ ticketTypeId, seatIds: pairs[i % 3] }] },
      }),
    ),
  );
  const won: Array<{ id: string; seats: Array<{ seatId: string }> }> = answers.flatMap((a) =>
    a.body.data?.createHold ? [a.body.data.createHold] : [],
  );
  const heldSeats = won.flatMap((h) => h.seats.map((x) => x.seatId));
  expect(won.length).toBeGreaterThanOrEqual(1);
  expect(new Set(heldSeats).size).toBe(heldSeats.length); // no seat in two holds
  const refusals = new Set(answers.flatMap((a) => (a.body.errors ?? []).map((e) => e.extensions?.code)));
  // a seat someone holds is SEAT_TAKEN; once all four are held, the type itself is SOLD_OUT
  expect([...refusals].filter((code) => code !== 'SEAT_TAKEN' && (code !== 'SOLD_OUT' || heldSeats.length < 4))).toEqual([]);
  const { rows } = await deployment.db.query(
    `SELECT "seatId"::text AS "seatId", "holdId"::text AS "holdId" FROM "access"."EventSeat" WHERE "eventId" = $1::uuid AND status = 'HELD'`,
    [eventId],
  );
  expect(rows.map((r) => r.seatId).sort()).toEqual([...heldSeats].sort());
  for (const hold of won) expect(rows.filter((r) => r.holdId === hold.id)).toHaveLength(2);
  const { rows: counters } = await deployment.db.query(`SELECT held, sold FROM "access"."TicketType" WHERE id = $1::uuid`, [
    ticketTypeId,
  ]);
  expect(counters[0]).toEqual({ held: heldSeats.length, sold: 0 });
});

it('moves each due series once and sends each webhook once, with two schedulers and two webhook workers', async () => {
  const opensAt = new Date(Date.now() + 8_000).toISOString();
  const seriesIds: string[] = [];
  for (let i = 0; i < 6; i++) {
    const gateway = gateways[i % 2]!;
    const { createEvent } = await gateway.data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
      input: { venueId: world.venue.id, title: `Later ${i}`, slug: `later-${i}-${Date.now().toString(36)}`, ...WINDOW },
    });
    const { createEventSeries } = await gateway.data(CREATE_SERIES, {
      input: {
        eventId: createEvent.id,
        name: 'Later',
        startsAt: opensAt,
        endsAt: new Date(Date.now() + HOUR).toISOString(),
        capacity: 10,
      },
    });
    await gateways[(i + 1) % 2]!.data(TRANSITION, { id: createEventSeries.id, to: 'SCHEDULED' });
    seriesIds.push(createEventSeries.id);
  }
  const activations = () =>
    deployment.db.query<{ seriesId: string; actorKind: string }>(
      `SELECT "seriesId"::text AS "seriesId", "actorKind" FROM "access"."SeriesTransition" WHERE "toStatus" = 'ACTIVE' AND "seriesId" = ANY($1::uuid[])`,
      [seriesIds],
    );
  const announced = () =>
    receiver.received.filter(
      (r) => r.type === 'series.transitioned' && r.data.to === 'ACTIVE' && seriesIds.includes(r.data.seriesId),
    );
  const deadline = Date.now() + 30_000;
  while (((await activations()).rows.length < seriesIds.length || announced().length < seriesIds.length) && Date.now() < deadline)
    await sleep(200);
  await sleep(1_500); // room for a second move or a second send, were there one

  const moved = (await activations()).rows;
  expect(moved.map((r) => r.seriesId).sort()).toEqual([...seriesIds].sort());
  expect(new Set(moved.map((r) => r.actorKind))).toEqual(new Set(['scheduler']));
  expect(
    announced()
      .map((r) => r.data.seriesId)
      .sort(),
  ).toEqual([...seriesIds].sort());
  // every delivery so far (the race's check-ins among them) was sent by exactly one worker, once
  const { rows } = await deployment.db.query(
    `SELECT d."eventId"::text AS "eventId", d."status", count(a."id")::int AS "attempts"
     FROM "users"."WebhookDelivery" d LEFT JOIN "users"."WebhookAttempt" a ON a."deliveryId" = d."id" GROUP BY d."id"`,
  );
  expect(rows.length).toBeGreaterThan(80);
  const times = receiver.timesById();
  expect(rows.filter((r) => r.status !== 'SUCCEEDED' || r.attempts !== 1 || times.get(r.eventId) !== 1)).toEqual([]);
});

it('invalidates a cache on one replica with a change made through the other', async () => {
  const [first, second] = deployment.replicas.events;
  const read = async () =>
    (
      await replicaData(first!, deployment.principalSecret, `query($id: ID!) { event(id: $id) { title } }`, {
        id: world.event.id,
      })
    ).event.title;
  expect(await read()).toBe('Summer Sound');
  expect(await read()).toBe('Summer Sound'); // served from the first replica's event cache (kept 5 minutes)
  await replicaData(
    second!,
    deployment.principalSecret,
    `mutation($id: ID!) { updateEvent(id: $id, input: { title: "Winter Sound" }) { id } }`,
    {
      id: world.event.id,
    },
  );
  const changedAt = Date.now();
  while ((await read()) !== 'Winter Sound' && Date.now() - changedAt < 5_000) await sleep(50);
  expect(await read()).toBe('Winter Sound');

  // the gateways' caller caches likewise: a key revoked through one gateway is refused at once by the other
  const { createPartnerApp } = await gateways[0]!.data(
    `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Site", whiteLabel: { brandName: "Site" }) { id } }`,
    { o: world.org.id },
  );
  const { createApiKey } = await gateways[0]!.data(
    `mutation($a: ID!) { createApiKey(partnerAppId: $a, name: "k", scopes: ["events:read"]) { apiKey { id } secret } }`,
    { a: createPartnerApp.id },
  );
  const asKey = { authorization: `Bearer ${createApiKey.secret}` };
  for (const gateway of gateways) expect((await gateway.request('{ __typename }', undefined, asKey)).status).toBe(200);
  await gateways[0]!.data(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: createApiKey.apiKey.id });
  expect((await gateways[1]!.request('{ __typename }', undefined, asKey)).status).toBe(401);
});

it('loses nothing when one replica of each subgraph is killed mid-load, and the others serve on', async () => {
  const { seriesId, gateId } = await activeSeries(100_000);
  const outcome = await killMidLoad({ deployment, gateways, receiver, seriesId, gateId, venueId: world.venue.id });
  expect(outcome.acknowledgedAfterKill).toBeGreaterThan(0);
  expect(outcome.lost).toEqual({
    scansNotAcknowledged: 0,
    acknowledgedButNotCommitted: 0,
    scansCountedTwice: 0,
    checkInsWithoutDelivery: 0,
    checkInsNeverReceived: 0,
    eventsUnknownToAccess: 0,
    eventsUnknownToUsers: 0,
    eventsUnknownToIngest: 0,
    seriesNotDependents: 0,
    failedAfterRecovery: 0,
  });
}, 150_000);

it('stops every remaining process cleanly on SIGTERM', async () => {
  const codes = await deployment.stop();
  const survivors = [...deployment.gateways, ...Object.values(deployment.replicas).map((r) => r[1]!)].map((p) => p.name);
  expect(Object.keys(codes)).toEqual(expect.arrayContaining(survivors));
  expect(Object.values(codes)).toEqual(Object.values(codes).map(() => 0));
}, 60_000);
