/**
 * Database side of the ingest throughput bench: a fresh database per point, the two sources, the bulk seed of
 * canonical events that did not come through staging, and what is measured of the data afterwards (candidate
 * density per record, dedup outcome).
 */
import { join } from 'node:path';
import { Pool } from 'pg';
import { openDatabase, type Database, type SqlDatabase } from '@eventgraph/runtime';
import { blockingFor } from '../../subgraphs/ingest/src/domain/dedup';
import type { NormalisedRecord } from '../../subgraphs/ingest/src/domain/records';
import { PrismaClient, type Source } from '../../subgraphs/ingest/src/generated/prisma/client';
import { ADMIN_URL } from './common';
import { DAYS, duplicateOf, FIRST_DAY, largestCities } from './ingest-feed-data';

export const INGEST_DB = process.env.BENCH_INGEST_DATABASE ?? 'eventgraph_bench_ingest';

const databaseUrl = () => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${INGEST_DB}`;
  return url.toString();
};

export interface BenchDatabase {
  database: Database<PrismaClient>;
  sourceA: Source;
  sourceB: Source;
}

/** Drops and creates the bench database, migrates ingest's schema into it, and adds the two sources. */
export async function freshDatabase(): Promise<BenchDatabase> {
  const admin = new Pool({ connectionString: ADMIN_URL, max: 1 });
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${INGEST_DB}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${INGEST_DB}"`);
  } finally {
    await admin.end();
  }
  const database = await openDatabase({
    name: 'ingest',
    prismaDir: join(__dirname, '..', '..', 'subgraphs', 'ingest', 'prisma'),
    location: { kind: 'server', url: databaseUrl(), schema: 'ingest' },
    createClient: (adapter) => new PrismaClient({ adapter }),
    poolSize: 4,
  });
  const sourceA = await database.client.source.create({
    data: { name: 'partner-a', kind: 'JSON', trust: 'TRUSTED', autoApproveQuality: 0.5 },
  });
  const sourceB = await database.client.source.create({ data: { name: 'city-guide-b', kind: 'JSON' } });
  return { database, sourceA, sourceB };
}

export async function dropDatabase(): Promise<void> {
  const admin = new Pool({ connectionString: ADMIN_URL, max: 1 });
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${INGEST_DB}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export const BACKGROUND_CITIES = 5000;
export const BACKGROUND_DAYS = 2 * DAYS;

/**
 * `count` approved canonical events straight into CanonicalEvent (no source records), in statements of 100,000:
 * events at the world's 5,000 largest cities (the feeds' 400 among them) over two years from the feeds' first
 * day, titled from the same kind of words, each in its city's blocking cell.
 */
export async function seedCanonicalEvents(sql: SqlDatabase, count: number, onChunk?: (done: number) => void): Promise<void> {
  const cities = largestCities(BACKGROUND_CITIES).map((c, idx) => ({ idx, ...c }));
  const chunk = 100_000;
  for (let from = 0; from < count; from += chunk) {
    await sql.execute(
      `INSERT INTO "CanonicalEvent" (id, title, "startsAt", "endsAt", city, country, latitude, longitude, cell, categories,
         "sourceCount", moderation, "qualityScore", version, "publishedVersion", "updatedAt")
       SELECT gen_random_uuid(),
         (ARRAY['Spring','Night','Open','Grand','Blue','Sunday','Riverside','Festival'])[1 + g % 8] || ' ' ||
         (ARRAY['Jazz','Rock','Comedy','Opera','Yoga','Chess','Food','Design','Salsa','Folk'])[1 + (g / 8) % 10] || ' ' ||
         (ARRAY['Fair','Concert','Workshop','Market','Show','Talk','Tour','Jam'])[1 + (g / 80) % 8] || ' ' || (g % 997),
         $2::timestamptz + ((g * 31) % $3) * interval '1 day' + (17 + g % 6) * interval '1 hour',
         $2::timestamptz + ((g * 31) % $3) * interval '1 day' + (20 + g % 6) * interval '1 hour',
         c.name, c.country, c.latitude + ((g % 101) - 50) * 0.0004, c.longitude + ((g % 103) - 51) * 0.0004, c.cell,
         ARRAY['music'], 1, 'APPROVED', 0.7, 1, 1, now()
       FROM generate_series($4::bigint, $5::bigint) g
       JOIN jsonb_to_recordset($1::jsonb) AS c(idx int, name text, country text, latitude float8, longitude float8, cell text)
         ON c.idx = (g * 7907) % ${BACKGROUND_CITIES}`,
      [JSON.stringify(cities), new Date(FIRST_DAY).toISOString(), BACKGROUND_DAYS, from, Math.min(count, from + chunk) - 1],
    );
    onChunk?.(Math.min(count, from + chunk));
  }
}

/** so plans and visibility are those of a settled database, not of tables filled a second ago */
export async function settle(sql: SqlDatabase): Promise<void> {
  await sql.execute('VACUUM ANALYZE');
}

/** How many canonical events the blocking windows of these records hold (what dedup looks at per record), on average. */
export async function meanCandidates(sql: SqlDatabase, records: NormalisedRecord[]): Promise<number> {
  const blocks = records.map((r) => {
    const b = blockingFor(r);
    return { from: b.from.toISOString(), to: b.to.toISOString(), cells: b.cells };
  });
  const [row] = await sql.query<{ mean: number }>(
    `SELECT avg(n)::float8 AS mean FROM jsonb_to_recordset($1::jsonb) AS b("from" timestamptz, "to" timestamptz, cells text[])
     CROSS JOIN LATERAL (SELECT count(*) AS n FROM "CanonicalEvent" x
       WHERE (x.cell = ANY(b.cells) OR x.cell IS NULL) AND x."startsAt" BETWEEN b."from" AND b."to") k`,
    [JSON.stringify(blocks)],
  );
  return row?.mean ?? 0;
}

/** sequential scans of the tables dedup reads (a scan whose cost follows the table, not the block) */
export async function sequentialScans(sql: SqlDatabase): Promise<Record<string, { scans: number; rows: number }>> {
  const rows = await sql.query<{ relname: string; scans: number; rows: number }>(
    `SELECT relname, seq_scan::float8 AS scans, seq_tup_read::float8 AS rows FROM pg_stat_user_tables
     WHERE relname IN ('CanonicalEvent', 'SourceRecord')`,
  );
  return Object.fromEntries(rows.map((r) => [r.relname, { scans: r.scans, rows: r.rows }]));
}

export interface DedupOutcome {
  /** B's retellings of A's events that joined the A event's canonical event */
  joinedRight: number;
  /** retellings that started an event of their own or joined another */
  missed: number;
  /** B's own events that joined some A event */
  wronglyJoined: number;
  canonicalEvents: number;
}

export async function dedupOutcome(db: BenchDatabase, existingA: number): Promise<DedupOutcome> {
  const rows = await db.database.sql.query<{ b: string; a: string | null }>(
    `SELECT b."feedId" AS b, a."feedId" AS a FROM "SourceRecord" b
     LEFT JOIN "SourceRecord" a ON a."canonicalEventId" = b."canonicalEventId" AND a."sourceId" = $2::uuid
     WHERE b."sourceId" = $1::uuid AND b.state = 'ACTIVE'`,
    [db.sourceB.id, db.sourceA.id],
  );
  const outcome: DedupOutcome = { joinedRight: 0, missed: 0, wronglyJoined: 0, canonicalEvents: 0 };
  for (const { b, a } of rows) {
    const of = duplicateOf(Number(b.slice(2)), existingA);
    if (of === null) outcome.wronglyJoined += a ? 1 : 0;
    else if (a === `a-${of}`) outcome.joinedRight++;
    else outcome.missed++;
  }
  const [count] = await db.database.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM "CanonicalEvent"');
  outcome.canonicalEvents = count?.n ?? 0;
  return outcome;
}
