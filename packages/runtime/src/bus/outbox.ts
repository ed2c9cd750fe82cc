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
 * The table every subgraph database carries (its Prisma migration creates it).
 * `source` is the recording subgraph; `claimedUntil` is the relay's lease on
 * a row while it publishes it (see claimUnpublished). `publishedAt` is set only
 * for a transport that keeps nothing across a restart (in memory): such a row has
 * been handed over and some durable group may still owe it (see OwedDelivery).
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
  return rows.sort(byRowId).map(toEvent);
}

// RETURNING has no order of its own
const byRowId = (a: OutboxRow, b: OutboxRow) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1);

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
 * Marks up to `limit` unpublished rows published, oldest first, claimed or not, and returns them: for the
 * memory bus, whose relay is the only one publishing from its table (one process), so it needs no claim and
 * any claim there is a dead process's. A marked row stays until every group consuming it has handled it
 * (the relay deletes it then); one that is still there after a crash is delivered again.
 */
export async function markPublished(db: SqlExecutor, limit: number): Promise<BusEvent[]> {
  const rows = await db.$queryRawUnsafe<OutboxRow[]>(
    `${PLANNED_EACH_TIME}UPDATE "OutboxEvent" SET "publishedAt" = now(), "claimedUntil" = NULL
     WHERE "publishedAt" IS NULL AND "id" IN (
       SELECT "id" FROM "OutboxEvent" WHERE "publishedAt" IS NULL ORDER BY "id" LIMIT ${positiveInt(limit, 'limit')}
     )
     RETURNING "id"::text AS "id", "eventId"::text AS "eventId", "source", "topic", "payload", "occurredAt"`,
  );
  return rows.sort(byRowId).map(toEvent);
}

/** Rows marked published and not yet deleted (some group may still owe them), oldest first, after row `afterRow`. */
export async function publishedEvents(
  db: SqlExecutor,
  afterRow: string,
  limit: number,
): Promise<Array<{ row: string; event: BusEvent }>> {
  const rows = await db.$queryRawUnsafe<OutboxRow[]>(
    `${PLANNED_EACH_TIME}SELECT e."id"::text AS "id", e."eventId"::text AS "eventId", e."source", e."topic", e."payload", e."occurredAt"
     FROM "OutboxEvent" e WHERE e."publishedAt" IS NOT NULL AND e."id" > $1::bigint ORDER BY e."id" LIMIT ${positiveInt(limit, 'limit')}`,
    afterRow,
  );
  return rows.map((row) => ({ row: row.id, event: toEvent(row) }));
}

const uuidList = (ids: string[]) => ids.map((_, i) => `$${i + 1}::uuid`).join(', ');

/**
 * Deletes rows the transport has accepted (or, on the memory bus, that every group has handled): a row is
 * updated once at most (its claim or its mark). Like every statement here that reads the outbox table,
 * planned each time it runs (PLANNED_EACH_TIME): its size swings too far for a plan made once.
 */
export async function deletePublished(db: SqlExecutor, eventIds: string[]): Promise<number> {
  if (eventIds.length === 0) return 0;
  return db.$executeRawUnsafe(`${PLANNED_EACH_TIME}DELETE FROM "OutboxEvent" WHERE "eventId" = ANY($1::uuid[])`, eventIds);
}

/** Gives claimed rows back after a failed publish, so the retry need not wait for the lease. */
export async function releaseClaims(db: SqlExecutor, eventIds: string[]): Promise<number> {
  if (eventIds.length === 0) return 0;
  return db.$executeRawUnsafe(
    `${PLANNED_EACH_TIME}UPDATE "OutboxEvent" SET "claimedUntil" = NULL WHERE "publishedAt" IS NULL AND "eventId" IN (${uuidList(eventIds)})`,
    ...eventIds,
  );
}

/** How many rows still wait for the relay (for health checks and metrics). */
export async function countUnpublished(db: SqlExecutor): Promise<number> {
  const rows = await db.$queryRawUnsafe<Array<{ n: unknown }>>(
    `${PLANNED_EACH_TIME}SELECT count(*)::int AS "n" FROM "OutboxEvent" WHERE "publishedAt" IS NULL`,
  );
  return Number(rows[0]?.n ?? 0);
}
