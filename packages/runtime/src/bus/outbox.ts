import { randomUUID } from 'node:crypto';
import { PLANNED_EACH_TIME } from '../db/sql';
import { eventTraceparent } from '../telemetry';
import { assertTopic, type BusEvent } from './event';

/**
 * The structural slice of a Prisma Client the bus needs; a generated client
 * and an interactive-transaction client (`tx`) both fit, as does a small
 * wrapper around PGlite or pg.
 */
export interface SqlExecutor {
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T>;
}

export interface TransactionalDb extends SqlExecutor {
  $transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

/**
 * The tables every subgraph database carries (its Prisma migration creates them).
 * `source` is the recording subgraph; `claimedUntil` is the relay's lease on
 * a row while it publishes it (see claimUnpublished). `OutboxDelivery` holds,
 * for a transport that keeps nothing across a restart (in memory), what each
 * durable consumer group still owes of a published event (see OwedDelivery).
 */
export const OUTBOX_DDL = `
CREATE TABLE "OutboxEvent" (
  "id" BIGSERIAL PRIMARY KEY,
  "eventId" UUID NOT NULL UNIQUE,
  "source" TEXT NOT NULL,
  "topic" TEXT NOT NULL,
  "payload" JSONB NOT NULL,
  "occurredAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "publishedAt" TIMESTAMPTZ(3),
  "claimedUntil" TIMESTAMPTZ(3)
);
CREATE INDEX "OutboxEvent_publishedAt_id_idx" ON "OutboxEvent"("publishedAt", "id");
CREATE TABLE "OutboxDelivery" (
  "eventId" UUID NOT NULL,
  "consumer" TEXT NOT NULL,
  PRIMARY KEY ("eventId", "consumer")
);
`;

/**
 * Records an event in the caller's transaction, so it commits or rolls back
 * together with the change it describes. Nothing is sent here: the relay
 * publishes committed rows (call relay.poke() after the commit for low latency).
 */
export async function recordEvent(
  tx: SqlExecutor,
  source: string,
  topic: string,
  payload: Record<string, unknown>,
): Promise<BusEvent> {
  const event = newEvent(source, topic, payload);
  await tx.$executeRawUnsafe(
    `INSERT INTO "OutboxEvent" ("eventId", "source", "topic", "payload", "occurredAt")
     VALUES ($1::uuid, $2, $3, $4::jsonb, $5::timestamptz)`,
    event.id,
    source,
    topic,
    storedPayload(event),
    event.occurredAt,
  );
  return event;
}

/**
 * Records many events of one topic in one statement (a batch of rows released together): the same rows
 * `recordEvent` writes one by one, in the caller's transaction.
 */
export async function recordEvents(
  tx: SqlExecutor,
  source: string,
  topic: string,
  payloads: Record<string, unknown>[],
): Promise<BusEvent[]> {
  if (payloads.length === 0) return [];
  const events = payloads.map((payload) => newEvent(source, topic, payload));
  await tx.$executeRawUnsafe(
    `INSERT INTO "OutboxEvent" ("eventId", "source", "topic", "payload", "occurredAt")
     SELECT e."eventId", $1, $2, e."payload", e."occurredAt"
     FROM jsonb_to_recordset($3::jsonb) AS e("eventId" uuid, "payload" jsonb, "occurredAt" timestamptz)`,
    source,
    topic,
    JSON.stringify(
      events.map((event) => ({ eventId: event.id, payload: JSON.parse(storedPayload(event)), occurredAt: event.occurredAt })),
    ),
  );
  return events;
}

/**
 * The trace context rides in the stored payload under this key (lifted back onto the envelope when the relay
 * reads the row), so tracing needed no new column in every subgraph's outbox table.
 */
const TRACEPARENT_KEY = '$traceparent';

const storedPayload = (event: BusEvent) =>
  JSON.stringify(event.traceparent ? { ...event.payload, [TRACEPARENT_KEY]: event.traceparent } : event.payload);

/**
 * The same record as one complete statement, its values written as literals by `literal`: for a
 * statement sent together with the COMMIT (`SqlTransaction.atCommit`), which takes no parameters.
 */
export function outboxInsert(
  source: string,
  topic: string,
  payload: Record<string, unknown>,
  literal: (value: string) => string,
): { event: BusEvent; statement: string } {
  const event = newEvent(source, topic, payload);
  const values = [event.id, source, topic, storedPayload(event), event.occurredAt].map(literal);
  return {
    event,
    statement: `INSERT INTO "OutboxEvent" ("eventId", "source", "topic", "payload", "occurredAt")
     VALUES (${values[0]}::uuid, ${values[1]}, ${values[2]}, ${values[3]}::jsonb, ${values[4]}::timestamptz)`,
  };
}

/**
 * An event a statement of the subgraph writes into the outbox itself, with a payload only the statement
 * knows (a decision made in SQL): the row's values but the payload, to pass to the statement, and the
 * event as recorded once the payload is known.
 */
export interface PreparedEvent {
  eventId: string;
  source: string;
  topic: string;
  occurredAt: string;
  /** what the stored payload carries besides the event's own keys (the trace context), as JSON: the statement merges it in */
  payloadExtra: string;
  complete(payload: Record<string, unknown>): BusEvent;
}

export function prepareEvent(source: string, topic: string): PreparedEvent {
  const event = newEvent(source, topic, {});
  return {
    eventId: event.id,
    source,
    topic,
    occurredAt: event.occurredAt,
    payloadExtra: storedPayload(event),
    complete: (payload) => ({ ...event, payload }),
  };
}

function newEvent(source: string, topic: string, payload: Record<string, unknown>): BusEvent {
  assertTopic(topic);
  if (!source) throw new TypeError('event source (the subgraph name) is required');
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new TypeError('event payload must be a JSON object');
  }
  const id = randomUUID();
  const traceparent = eventTraceparent(source, topic, id);
  return {
    id,
    topic,
    source,
    // taken here rather than from the column default so the returned event equals the stored one
    occurredAt: new Date().toISOString(),
    payload: JSON.parse(JSON.stringify(payload)) as Record<string, unknown>,
    ...(traceparent ? { traceparent } : {}),
  };
}

interface OutboxRow {
  id: string;
  eventId: string;
  source: string;
  topic: string;
  payload: unknown;
  occurredAt: unknown;
}

const positiveInt = (n: number, what: string) => {
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`${what} must be a positive integer`);
  return n;
};

/**
 * Claims up to `limit` unpublished rows, oldest first, for `leaseMs`.
 *
 * One statement, hence one short transaction: the inner SELECT locks the rows
 * with FOR UPDATE SKIP LOCKED, so a concurrent relay skips them instead of
 * waiting, and the lease it writes keeps every other relay off them after
 * the commit, while this one publishes. Publishing happens outside any
 * transaction, so the relay never holds a database connection (on PGlite,
 * the only one) across a network call. If this relay dies mid-publish, the
 * lease expires and another pass publishes the rows again (at-least-once).
 */
export async function claimUnpublished(db: SqlExecutor, limit: number, leaseMs: number): Promise<BusEvent[]> {
  const rows = await db.$queryRawUnsafe<OutboxRow[]>(
    `${PLANNED_EACH_TIME}UPDATE "OutboxEvent" SET "claimedUntil" = now() + interval '${positiveInt(leaseMs, 'leaseMs')} milliseconds'
     WHERE "id" IN (
       SELECT "id" FROM "OutboxEvent"
       WHERE "publishedAt" IS NULL AND ("claimedUntil" IS NULL OR "claimedUntil" < now())
       ORDER BY "id"
       LIMIT ${positiveInt(limit, 'limit')}
       FOR UPDATE SKIP LOCKED
     )
     RETURNING "id"::text AS "id", "eventId"::text AS "eventId", "source", "topic", "payload", "occurredAt"`,
  );
  // RETURNING has no order of its own
  return rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1)).map(toEvent);
}

function toEvent(row: OutboxRow): BusEvent {
  const stored = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Record<string, unknown>;
  const { [TRACEPARENT_KEY]: traceparent, ...payload } = stored;
  return {
    id: row.eventId,
    topic: row.topic,
    source: row.source,
    occurredAt: new Date(row.occurredAt as string | Date).toISOString(),
    payload,
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
  };
}

/**
 * Up to `limit` unpublished rows, oldest first, claimed or not, without writing anything: for the memory
 * bus, whose relay is the only one publishing from its table (one process), so it needs no claim and
 * any claim there is a dead process's.
 */
export async function unpublished(db: SqlExecutor, limit: number): Promise<BusEvent[]> {
  const rows = await db.$queryRawUnsafe<OutboxRow[]>(
    `${PLANNED_EACH_TIME}SELECT e."id"::text AS "id", e."eventId"::text AS "eventId", e."source", e."topic", e."payload", e."occurredAt"
     FROM "OutboxEvent" e WHERE e."publishedAt" IS NULL ORDER BY e."id" LIMIT ${positiveInt(limit, 'limit')}`,
  );
  return rows.map(toEvent);
}

const uuidList = (ids: string[]) => ids.map((_, i) => `$${i + 1}::uuid`).join(', ');

/**
 * Deletes rows the transport has accepted: a published row is not updated a second time (its claim was
 * the one update), nor kept for a prune to delete later. Like every statement here that reads the outbox's tables,
 * planned each time it runs (PLANNED_EACH_TIME): their size swings too far for a plan made once.
 */
export async function deletePublished(db: SqlExecutor, eventIds: string[]): Promise<number> {
  if (eventIds.length === 0) return 0;
  return db.$executeRawUnsafe(`${PLANNED_EACH_TIME}DELETE FROM "OutboxEvent" WHERE "eventId" = ANY($1::uuid[])`, eventIds);
}

/**
 * Publishes rows with what each durable consumer group will owe of them (`owed` pairs an event id with
 * a group), in one statement: a row some group owes is marked published (its one update) and kept until
 * the last group has settled it; a row no group consumes is deleted at once. Fixed text whatever the
 * batch (arrays, not a list of parameters).
 */
export async function publishOwing(
  db: SqlExecutor,
  eventIds: string[],
  owed: Array<{ eventId: string; consumer: string }>,
): Promise<number> {
  if (eventIds.length === 0) return 0;
  const [owing, consumers] = [owed.map((o) => o.eventId), owed.map((o) => o.consumer)];
  return db.$executeRawUnsafe(
    `${PLANNED_EACH_TIME}WITH "owed" AS (
       INSERT INTO "OutboxDelivery" ("eventId", "consumer")
       SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING
     ), "unowed" AS (
       DELETE FROM "OutboxEvent" WHERE "eventId" = ANY($3::uuid[]) AND NOT ("eventId" = ANY($1::uuid[])) RETURNING 1
     )
     UPDATE "OutboxEvent" SET "publishedAt" = now(), "claimedUntil" = NULL
     WHERE "eventId" = ANY($3::uuid[]) AND "eventId" = ANY($1::uuid[]) AND "publishedAt" IS NULL`,
    owing,
    consumers,
    eventIds,
  );
}

/**
 * Clears what groups have handled (their effect committed): they owe those events no more, and an event
 * no group owes any longer is deleted in the same statement. (The statement's parts share one snapshot,
 * so "nothing owed any more" is every delivery row of the event being among those settled now: as many
 * rows settled now as the snapshot holds.) Each part is bounded by the batch, never a join over the
 * tables: their statistics are often those of an empty table (analysed before the first event), and a
 * join planned for one row each ran for minutes over a few thousand.
 */
export async function settleDeliveries(db: SqlExecutor, settled: Array<{ eventId: string; consumer: string }>): Promise<number> {
  if (settled.length === 0) return 0;
  return db.$executeRawUnsafe(
    `${PLANNED_EACH_TIME}WITH "settled" AS (
       DELETE FROM "OutboxDelivery"
       WHERE "eventId" = ANY($1::uuid[]) AND ("eventId", "consumer") IN (SELECT * FROM unnest($1::uuid[], $2::text[]))
       RETURNING "eventId"
     )
     DELETE FROM "OutboxEvent" e
     WHERE e."publishedAt" IS NOT NULL AND e."eventId" = ANY(ARRAY(
       SELECT s."eventId" FROM "settled" s GROUP BY s."eventId"
       HAVING count(*) = (SELECT count(*) FROM "OutboxDelivery" d WHERE d."eventId" = s."eventId")
     ))`,
    settled.map((s) => s.eventId),
    settled.map((s) => s.consumer),
  );
}

export interface OwedEvent {
  /** the outbox row's id, for paging on */
  row: string;
  event: BusEvent;
  /** the groups that have not handled it yet */
  consumers: string[];
}

/** Events some group still owes, oldest first, after outbox row `afterRow` (paging: pass the last row seen). */
export async function owedEvents(db: SqlExecutor, afterRow: string, limit: number): Promise<OwedEvent[]> {
  const rows = await db.$queryRawUnsafe<Array<OutboxRow & { consumers: string[] }>>(
    `${PLANNED_EACH_TIME}SELECT e."id"::text AS "id", e."eventId"::text AS "eventId", e."source", e."topic", e."payload", e."occurredAt",
            array_agg(d."consumer" ORDER BY d."consumer") AS "consumers"
     FROM "OutboxDelivery" d JOIN "OutboxEvent" e ON e."eventId" = d."eventId"
     WHERE e."id" > $1::bigint
     GROUP BY e."id"
     ORDER BY e."id"
     LIMIT ${positiveInt(limit, 'limit')}`,
    afterRow,
  );
  return rows.map((row) => ({ row: row.id, event: toEvent(row), consumers: row.consumers }));
}

/** Gives claimed rows back after a failed publish, so the retry need not wait for the lease. */
export async function releaseClaims(db: SqlExecutor, eventIds: string[]): Promise<number> {
  if (eventIds.length === 0) return 0;
  return db.$executeRawUnsafe(
    `${PLANNED_EACH_TIME}UPDATE "OutboxEvent" SET "claimedUntil" = NULL WHERE "publishedAt" IS NULL AND "eventId" IN (${uuidList(eventIds)})`,
    ...eventIds,
  );
}

/**
 * Deletes rows published more than `retentionMs` ago that no group still owes, in bounded batches so
 * no statement runs long. The relay deletes what it publishes itself; this is for rows a relay marked
 * published and never got to delete (an earlier version kept every published row).
 */
export async function prunePublished(db: SqlExecutor, retentionMs: number, batchSize = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db.$executeRawUnsafe(
      `${PLANNED_EACH_TIME}DELETE FROM "OutboxEvent" WHERE "id" IN (
         SELECT "id" FROM "OutboxEvent" e
         WHERE "publishedAt" < now() - interval '${positiveInt(retentionMs, 'retentionMs')} milliseconds'
           AND NOT EXISTS (SELECT 1 FROM "OutboxDelivery" d WHERE d."eventId" = e."eventId")
         ORDER BY "publishedAt", "id"
         LIMIT ${positiveInt(batchSize, 'batchSize')}
       )`,
    );
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

/** How many rows still wait for the relay (for health checks and metrics). */
export async function countUnpublished(db: SqlExecutor): Promise<number> {
  const rows = await db.$queryRawUnsafe<Array<{ n: unknown }>>(
    `${PLANNED_EACH_TIME}SELECT count(*)::int AS "n" FROM "OutboxEvent" WHERE "publishedAt" IS NULL`,
  );
  return Number(rows[0]?.n ?? 0);
}
