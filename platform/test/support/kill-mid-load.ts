import type { GatewayClient, WebhookReceiver } from './deployment-clients';
import { sleep, type Deployment } from './process-deployment';

/*
 * Scanners and an organiser keep writing through both gateways while one replica of every subgraph is
 * SIGKILLed; the survivors carry on. A scanner retries a scan with the same scanId until it is acknowledged
 * (a scanner at a gate does that: the scanId makes a retry count once). Afterwards, read from the databases
 * and the webhook receiver: what was acknowledged was committed, counted once, and reached every consumer.
 */
const HOUR = 3600_000;
const SCANNERS = 6;
/** the kill comes after this many acknowledged scans (or KILL_AFTER_MS) */
const SCANS_BEFORE_KILL = 120;
const KILL_AFTER_MS = 10_000;
/** load goes on after the kill until this many more scans were acknowledged, for at least LOAD_AFTER_KILL_MS */
const SCANS_AFTER_KILL = 120;
const LOAD_AFTER_KILL_MS = 5_000;
const SCAN_GIVES_UP_MS = 30_000;
/** consumers of a killed replica's unfinished work: redelivered after NATS's ack wait (30 s), relay and webhook leases */
const DRAIN_MS = 75_000;

export interface KillMidLoadOptions {
  deployment: Deployment;
  gateways: GatewayClient[];
  receiver: WebhookReceiver;
  seriesId: string;
  gateId: string;
  venueId: string;
}

export async function killMidLoad({ deployment, gateways, receiver, seriesId, gateId, venueId }: KillMidLoadOptions) {
  const acknowledged = new Map<string, string>(); // scanId → check-in id
  const givenUp: string[] = [];
  let stopping = false;
  let killed = false;
  let afterKill = 0;

  const scanOnce = async (n: number, i: number) => {
    const scanId = `kill-${n}-${i}`;
    const started = Date.now();
    for (let attempt = 0; Date.now() - started < SCAN_GIVES_UP_MS; attempt++) {
      const answer = await gateways[(n + attempt) % gateways.length]!.request<{ checkIn: { id: string } }>(
        `mutation($input: CheckInInput!) { checkIn(input: $input) { id } }`,
        { input: { seriesId, gateId, nfcId: `KILL-${n}-${i}`, direction: 'ENTRY', scanId } },
      ).catch(() => undefined);
      const id = answer?.body.data?.checkIn?.id;
      if (id) {
        acknowledged.set(scanId, id);
        if (killed) afterKill++;
        return;
      }
      await sleep(50);
    }
    givenUp.push(scanId);
  };
  const scanner = async (n: number) => {
    for (let i = 0; !stopping; i++) await scanOnce(n, i);
  };
  const organiser = async () => {
    for (let i = 0; !stopping; i++) {
      const startsAt = new Date(Date.now() + (48 + i) * HOUR).toISOString();
      const endsAt = new Date(Date.now() + (50 + i) * HOUR).toISOString();
      const gateway = gateways[i % gateways.length]!;
      const created = await gateway
        .request<{ createEvent: { id: string } }>(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
          input: { venueId, title: `Night ${i}`, slug: `night-${i}-${Date.now().toString(36)}`, startsAt, endsAt },
        })
        .catch(() => undefined);
      const eventId = created?.body.data?.createEvent?.id;
      if (!eventId) continue;
      await gateway
        .request(`mutation($input: CreateEventSeriesInput!) { createEventSeries(input: $input) { id } }`, {
          input: { eventId, name: 'Only', startsAt, endsAt, capacity: 10, gateIds: [] },
        })
        .catch(() => undefined);
    }
  };

  const load = [...Array.from({ length: SCANNERS }, (_, n) => scanner(n)), organiser()];
  try {
    const loadStarted = Date.now();
    while (acknowledged.size < SCANS_BEFORE_KILL && Date.now() - loadStarted < KILL_AFTER_MS) await sleep(10);
    for (const replicas of Object.values(deployment.replicas)) replicas[0]!.child.kill('SIGKILL');
    killed = true;
    const killedAt = Date.now();
    while ((afterKill < SCANS_AFTER_KILL || Date.now() - killedAt < LOAD_AFTER_KILL_MS) && Date.now() - killedAt < 40_000)
      await sleep(50);
  } finally {
    stopping = true;
    await Promise.all(load);
  }

  const failedAfterRecovery = (await Promise.all(gateways.map(servesAllFour(venueId)))).filter((ok) => !ok).length;
  const held = await drained(deployment, receiver, seriesId);
  const committed = new Set(held.checkIns.map((c) => c.id));
  return {
    lost: {
      scansNotAcknowledged: givenUp.length,
      acknowledgedButNotCommitted: [...acknowledged.values()].filter((id) => !committed.has(id)).length,
      scansCountedTwice: held.checkIns.length - new Set(held.checkIns.map((c) => c.scanId)).size,
      ...gaps(held),
      failedAfterRecovery,
    },
    acknowledged: acknowledged.size,
    acknowledgedAfterKill: afterKill,
  };
}

/** A query touching all four subgraphs answers without errors through this gateway (within 15 s). */
const servesAllFour = (venueId: string) => async (gateway: GatewayClient) => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await gateway
      .request(
        `query($v: ID!) { venue(id: $v) { events(first: 1) { edges { node { title organization { name } series { id } sources { id } } } } } }`,
        {
          v: venueId,
        },
      )
      .catch(() => undefined);
    if (answer?.status === 200 && !answer.body.errors && answer.body.data) return true;
    if (Date.now() > deadline) return false;
    await sleep(250);
  }
};

type Held = Awaited<ReturnType<typeof read>>;

async function read(deployment: Deployment, receiver: WebhookReceiver, seriesId: string) {
  const column = async (sql: string, values: unknown[] = []) =>
    (await deployment.db.query<{ id: string }>(sql, values)).rows.map((r) => r.id);
  return {
    checkIns: (
      await deployment.db.query<{ id: string; scanId: string }>(
        `SELECT "id"::text AS "id", "scanId" FROM "access"."CheckIn" WHERE "seriesId" = $1`,
        [seriesId],
      )
    ).rows,
    deliveries: await column(
      `SELECT "payload"->>'checkInId' AS "id" FROM "users"."WebhookDelivery" WHERE "topic" = 'checkin.recorded'`,
    ),
    received: receiver.received.filter((r) => r.type === 'checkin.recorded').map((r) => String(r.data.checkInId)),
    events: await column(`SELECT "id"::text AS "id" FROM "events"."Event" WHERE "organizationId" IS NOT NULL`),
    knownToAccess: await column(`SELECT "eventId"::text AS "id" FROM "access"."KnownEvent"`),
    knownToUsers: await column(`SELECT "eventId"::text AS "id" FROM "users"."KnownEvent"`),
    knownToIngest: await column(`SELECT "eventId"::text AS "id" FROM "ingest"."KnownEvent"`),
    series: await column(`SELECT "id"::text AS "id" FROM "access"."EventSeries"`),
    dependents: await column(`SELECT "refId"::text AS "id" FROM "events"."EventDependent" WHERE "kind" = 'series'`),
  };
}

/** What one side holds and the other does not, as counts. */
function gaps(held: Held) {
  const checkIns = held.checkIns.map((c) => c.id);
  return {
    checkInsWithoutDelivery: missing(checkIns, held.deliveries),
    checkInsNeverReceived: missing(checkIns, held.received),
    eventsUnknownToAccess: missing(held.events, held.knownToAccess),
    eventsUnknownToUsers: missing(held.events, held.knownToUsers),
    eventsUnknownToIngest: missing(held.events, held.knownToIngest),
    seriesNotDependents: missing(held.series, held.dependents),
  };
}

/** Waits (bounded) until the consumers have caught up with what was committed. */
async function drained(deployment: Deployment, receiver: WebhookReceiver, seriesId: string): Promise<Held> {
  const deadline = Date.now() + DRAIN_MS;
  for (;;) {
    const held = await read(deployment, receiver, seriesId);
    if (Object.values(gaps(held)).every((n) => n === 0) || Date.now() > deadline) return held;
    await sleep(250);
  }
}

const missing = (a: string[], b: string[]) => {
  const other = new Set(b);
  return a.filter((x) => !other.has(x)).length;
};
