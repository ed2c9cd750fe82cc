import { randomUUID } from 'node:crypto';
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
    `UPDATE "OutboxEvent" SET "claimedUntil" = now() + interval '${positiveInt(leaseMs, 'leaseMs')} milliseconds'
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
 * Takes back every claim of unpublished rows: for a relay starting on a database no other process
 * publishes from (the memory bus), whose claims can only be a dead process's.
 */
export async function releaseAllClaims(db: SqlExecutor): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE "OutboxEvent" SET "claimedUntil" = NULL WHERE "publishedAt" IS NULL AND "claimedUntil" IS NOT NULL`,
  );
}

const uuidList = (ids: string[]) => ids.map((_, i) => `$${i + 1}::uuid`).join(', ');

export async function markPublished(db: SqlExecutor, eventIds: string[]): Promise<number> {
  if (eventIds.length === 0) return 0;
  return db.$executeRawUnsafe(
    `UPDATE "OutboxEvent" SET "publishedAt" = now(), "claimedUntil" = NULL WHERE "eventId" IN (${uuidList(eventIds)})`,
    ...eventIds,
  );
}

/**
 * Marks rows published and records, in the same statement, which durable consumer groups still owe each
 * of them: `owed` pairs an event id with a group. Fixed text whatever the batch (arrays, not a list of
 * parameters), so it is prepared once.
 */
export async function markPublishedOwing(
  db: SqlExecutor,
  eventIds: string[],
  owed: Array<{ eventId: string; consumer: string }>,
): Promise<number> {
  if (eventIds.length === 0) return 0;
  return db.$executeRawUnsafe(
    `WITH "owed" AS (
       INSERT INTO "OutboxDelivery" ("eventId", "consumer")
       SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING
     )
     UPDATE "OutboxEvent" SET "publishedAt" = now(), "claimedUntil" = NULL WHERE "eventId" = ANY($3::uuid[])`,
    owed.map((o) => o.eventId),
    owed.map((o) => o.consumer),
    eventIds,
  );
}

/** Clears what groups have handled (their effect committed): they owe those events no more. */
export async function settleDeliveries(db: SqlExecutor, settled: Array<{ eventId: string; consumer: string }>): Promise<number> {
  if (settled.length === 0) return 0;
  return db.$executeRawUnsafe(
    `DELETE FROM "OutboxDelivery" WHERE ("eventId", "consumer") IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
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
    `SELECT e."id"::text AS "id", e."eventId"::text AS "eventId", e."source", e."topic", e."payload", e."occurredAt",
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
    `UPDATE "OutboxEvent" SET "claimedUntil" = NULL WHERE "publishedAt" IS NULL AND "eventId" IN (${uuidList(eventIds)})`,
    ...eventIds,
  );
}

/**
 * Deletes rows published more than `retentionMs` ago that no group still owes, in bounded batches so
 * no statement runs long.
 */
export async function prunePublished(db: SqlExecutor, retentionMs: number, batchSize = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db.$executeRawUnsafe(
      `DELETE FROM "OutboxEvent" WHERE "id" IN (
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
    `SELECT count(*)::int AS "n" FROM "OutboxEvent" WHERE "publishedAt" IS NULL`,
  );
  return Number(rows[0]?.n ?? 0);
}
