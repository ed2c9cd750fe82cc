import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchemas } from '@eventgraph/runtime';
import { liveChildren, startChildPlatform, type ChildPlatform } from './support/child-platform';
import { activateSeries, createOrganisationWithEvent } from './support/demo-data';

/*
 * A kill -9 mid-load loses no bus event for any consumer. The whole platform runs in a child process; scanners
 * and organisers keep writing through the gateway while it is SIGKILLed; it is started again on the same data
 * and left to drain. Then, counted from the databases: every committed check-in became exactly one webhook
 * delivery (users' durable fan-out of access's `checkin.recorded`), every committed event is known to access
 * and users (their `event.*` projections), every committed series is a dependent in events (`series.created`).
 *
 * Three configurations: the memory bus on PGlite (a temp data directory), the memory bus on the PostgreSQL
 * server, NATS JetStream on the server. Only in CI's second pass (DATABASE_URL set, with NATS running), so it
 * runs once; the PGlite configuration brings its own data directory.
 */
const DATABASE_URL = process.env.DATABASE_URL;
const describeWithServer = DATABASE_URL ? describe : describe.skip;

const CHECK_IN = `mutation($input: CheckInInput!) { checkIn(input: $input) { id } }`;
const CREATE_EVENT = `mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`;
const CREATE_SERIES = `mutation($input: CreateEventSeriesInput!) { createEventSeries(input: $input) { id } }`;
const HOUR = 3600_000;
/** the kill comes after this many acknowledged check-ins (or LOAD_MS of load): the consumers are behind by then */
const CHECK_INS_BEFORE_KILL = 150;
const LOAD_MS = 10_000;
const SCANNERS = 6;

interface Configuration {
  name: string;
  env: NodeJS.ProcessEnv;
  cleanUp(): Promise<void>;
}

function configuration(name: 'memory bus on PGlite' | 'memory bus on PostgreSQL' | 'NATS on PostgreSQL'): Configuration {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'error', WEBHOOK_POLL_INTERVAL_MS: '50' };
  if (name === 'memory bus on PGlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'eventgraph-crash-'));
    delete env.DATABASE_URL;
    return {
      name,
      env: { ...env, EVENTGRAPH_BUS: 'memory', EVENTGRAPH_DATA_DIR: dataDir },
      cleanUp: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const prefix = `crash${randomBytes(4).toString('hex')}_`;
  return {
    name,
    env: { ...env, EVENTGRAPH_BUS: name === 'NATS on PostgreSQL' ? 'nats' : 'memory', CRASH_SCHEMA_PREFIX: prefix },
    cleanUp: () => dropSchemas(DATABASE_URL!, prefix),
  };
}

/** A webhook receiver that accepts everything at once (the deliveries are counted in the database). */
let receiver: Server;
let receiverUrl: string;

describeWithServer('a kill -9 mid-load', () => {
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });
  afterEach(() => {
    // a failed test still leaves no platform running
    for (const child of liveChildren) child.kill('SIGKILL');
  });

  it.each(['memory bus on PGlite', 'memory bus on PostgreSQL', 'NATS on PostgreSQL'] as const)(
    'loses no event for any consumer: %s',
    async (name) => {
      const config = configuration(name);
      try {
        await crashAndCount(config);
      } finally {
        for (const child of liveChildren) child.kill('SIGKILL');
        await config.cleanUp();
      }
    },
    180_000,
  );
});

async function crashAndCount(config: Configuration): Promise<void> {
  let platform = await startChildPlatform(config.env);
  const { org, venue, event } = await createOrganisationWithEvent(platform);
  await platform.data(
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`,
    { input: { organizationId: org.id, url: receiverUrl, eventTypes: ['checkin.recorded'] } },
  );
  const { createGate: gate } = await platform.data(`mutation($input: CreateGateInput!) { createGate(input: $input) { id } }`, {
    input: { eventId: event.id, name: 'Main', direction: 'BOTH' },
  });
  const { createEventSeries: series } = await platform.data(CREATE_SERIES, {
    input: {
      eventId: event.id,
      name: 'Now',
      startsAt: new Date(Date.now() - HOUR).toISOString(),
      endsAt: new Date(Date.now() + 24 * HOUR).toISOString(),
      capacity: 100_000,
      gateIds: [gate.id],
    },
  });
  await activateSeries(platform, series.id);

  // load: scanners (every scan is a committed check-in with its checkin.recorded, unknown wristbands included)
  // and an organiser creating events with a series each, until the process dies under them
  const acknowledged: string[] = [];
  let dead = false;
  const scanner = async (n: number) => {
    for (let i = 0; !dead; i++) {
      const body = await platform
        .request<{ checkIn: { id: string } }>(CHECK_IN, {
          input: { seriesId: series.id, gateId: gate.id, nfcId: `CRASH-${n}-${i}`, direction: 'ENTRY' },
        })
        .catch(() => undefined);
      if (body?.data?.checkIn) acknowledged.push(body.data.checkIn.id);
    }
  };
  const organiser = async () => {
    for (let i = 0; !dead; i++) {
      const startsAt = new Date(Date.now() + (48 + i) * HOUR).toISOString();
      const endsAt = new Date(Date.now() + (50 + i) * HOUR).toISOString();
      const created = await platform
        .request<{ createEvent: { id: string } }>(CREATE_EVENT, {
          input: { venueId: venue.id, title: `Night ${i}`, slug: `night-${i}-${Date.now().toString(36)}`, startsAt, endsAt },
        })
        .catch(() => undefined);
      const eventId = created?.data?.createEvent?.id;
      if (!eventId) continue;
      await platform
        .request(CREATE_SERIES, { input: { eventId, name: 'Only', startsAt, endsAt, capacity: 10, gateIds: [] } })
        .catch(() => undefined);
    }
  };
  const load = [...Array.from({ length: SCANNERS }, (_, n) => scanner(n)), organiser()];
  try {
    const deadline = Date.now() + LOAD_MS;
    while (acknowledged.length < CHECK_INS_BEFORE_KILL && Date.now() < deadline) await sleep(10);
    await platform.kill();
  } finally {
    dead = true;
    await Promise.all(load);
  }
  expect(acknowledged.length).toBeGreaterThan(0);

  platform = await startChildPlatform(config.env);
  const counts = await drained(platform);
  await platform.stop();

  expect(outcome(acknowledged, counts)).toEqual({
    // every acknowledged check-in was committed
    acknowledgedButNotCommitted: 0,
    // every committed check-in reached users' webhook fan-out, exactly once (one delivery per check-in and endpoint)
    checkInsWithoutDelivery: 0,
    deliveriesWithoutCheckIn: 0,
    duplicateDeliveries: 0,
    // every committed event reached access's and users' projections, every committed series events' dependents
    eventsUnknownToAccess: 0,
    eventsUnknownToUsers: 0,
    seriesNotDependents: 0,
  });
}

/** What went missing or doubled, as counts (a list of thousands of ids says less). */
function outcome(acknowledged: string[], counts: Awaited<ReturnType<typeof drained>>) {
  return {
    acknowledgedButNotCommitted: difference(acknowledged, counts.checkIns).length,
    checkInsWithoutDelivery: difference(counts.checkIns, counts.deliveries).length,
    deliveriesWithoutCheckIn: difference(counts.deliveries, counts.checkIns).length,
    duplicateDeliveries: counts.deliveries.length - new Set(counts.deliveries).size,
    eventsUnknownToAccess: difference(counts.events, counts.knownToAccess).length,
    eventsUnknownToUsers: difference(counts.events, counts.knownToUsers).length,
    seriesNotDependents: difference(counts.series, counts.dependents).length,
  };
}

/** Waits (bounded) until the consumers have caught up with what was committed, and returns what each side holds. */
async function drained(platform: ChildPlatform) {
  const ids = async (subgraph: string, sql: string) => (await platform.query<{ id: string }>(subgraph, sql)).map((r) => r.id);
  const read = async () => ({
    checkIns: await ids('access', `SELECT "id"::text AS "id" FROM "CheckIn"`),
    deliveries: await ids(
      'users',
      `SELECT "payload"->>'checkInId' AS "id" FROM "WebhookDelivery" WHERE "topic" = 'checkin.recorded'`,
    ),
    events: await ids('events', `SELECT "id"::text AS "id" FROM "Event" WHERE "organizationId" IS NOT NULL`),
    knownToAccess: await ids('access', `SELECT "eventId"::text AS "id" FROM "KnownEvent"`),
    knownToUsers: await ids('users', `SELECT "eventId"::text AS "id" FROM "KnownEvent"`),
    series: await ids('access', `SELECT "id"::text AS "id" FROM "EventSeries"`),
    dependents: await ids('events', `SELECT "refId"::text AS "id" FROM "EventDependent" WHERE "kind" = 'series'`),
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const counts = await read();
    const caughtUp =
      difference(counts.checkIns, counts.deliveries).length === 0 &&
      difference(counts.events, counts.knownToAccess).length === 0 &&
      difference(counts.events, counts.knownToUsers).length === 0 &&
      difference(counts.series, counts.dependents).length === 0;
    if (caughtUp || Date.now() > deadline) return counts;
    await sleep(250);
  }
}

const difference = (a: string[], b: string[]) => {
  const other = new Set(b);
  return a.filter((x) => !other.has(x));
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
