/**
 * The search benchmark's data (search.ts): 200 venues around 20 European cities and BENCH_SEARCH_EVENTS events over
 * 2027, bulk-inserted straight into the events schema (INSERT … SELECT generate_series, in batches of 100,000; the
 * discovery trigger builds each search document with its search keys and copies the venue's coordinates), and the
 * filters the benchmark sends.
 */
import type { Pool, PoolClient } from 'pg';

export const CITIES: [string, number, number][] = [
  ['Berlin', 52.52, 13.405],
  ['Hamburg', 53.55, 9.99],
  ['Munich', 48.137, 11.575],
  ['Cologne', 50.937, 6.96],
  ['Paris', 48.857, 2.352],
  ['Lyon', 45.764, 4.836],
  ['Madrid', 40.417, -3.704],
  ['Barcelona', 41.385, 2.173],
  ['Lisbon', 38.722, -9.139],
  ['Rome', 41.903, 12.496],
  ['Milan', 45.464, 9.19],
  ['Vienna', 48.208, 16.373],
  ['Prague', 50.075, 14.437],
  ['Warsaw', 52.23, 21.012],
  ['Amsterdam', 52.368, 4.904],
  ['Brussels', 50.85, 4.352],
  ['Copenhagen', 55.676, 12.568],
  ['Stockholm', 59.329, 18.069],
  ['London', 51.507, -0.128],
  ['Dublin', 53.35, -6.26],
];
export const WORDS = [
  'jazz',
  'rock',
  'techno',
  'opera',
  'comedy',
  'theatre',
  'market',
  'festival',
  'yoga',
  'poetry',
  'film',
  'food',
  'wine',
  'beer',
  'tech',
  'art',
  'dance',
  'choir',
  'salsa',
  'folk',
];
export const KINDS = ['night', 'festival', 'session', 'workshop', 'concert', 'meetup', 'party', 'tour', 'gala', 'brunch'];

/** Filter i of the 200 the benchmark sends round-robin: a keyword in 20% of the events, a one-month range, 25 km around a city. */
export function filterFor(i: number) {
  const [, lat, lng] = CITIES[i % CITIES.length]!;
  const day = 1 + (i % 20);
  return {
    text: WORDS[(i * 7) % WORDS.length],
    from: `2027-0${4 + (i % 3)}-${String(day).padStart(2, '0')}T00:00:00Z`,
    to: `2027-0${5 + (i % 3)}-${String(day).padStart(2, '0')}T00:00:00Z`,
    near: { latitude: lat, longitude: lng, radiusKm: 25 },
  };
}

/** The platform's events schema on the server (the one holding the seeded venue). */
export async function findEventsSchema(pool: Pool, venueId: string): Promise<string> {
  const { rows: found } = await pool.query<{ schema: string }>(
    `SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'Venue' AND table_schema LIKE 'b%\\_events'`,
  );
  for (const { schema } of found) {
    const { rowCount } = await pool.query(`SELECT 1 FROM "${schema}"."Venue" WHERE "id" = $1`, [venueId]);
    if (rowCount) return schema;
  }
  throw new Error('events schema not found');
}

/**
 * Inserts the venues and `events` events of `organizationId` over `db` (search_path set to the events schema), then
 * ANALYZE. The search document's GIN index is dropped for the load and built again from its own definition after
 * it, as one would for any bulk load: 1,000,000 inserts into it one by one take ten minutes of a shared server (the
 * searches find the same pages either way).
 */
export async function loadSearchEvents(db: PoolClient, organizationId: string, events: number, log: (line: string) => void) {
  const began = Date.now();
  const { rows: index } = await db.query<{ definition: string }>(
    `SELECT pg_get_indexdef('"Event_searchDocument_idx"'::regclass) AS "definition"`,
  );
  await db.query('DROP INDEX "Event_searchDocument_idx"');
  // 200 venues around 20 cities (within ~20 km)
  await db.query(
    `INSERT INTO "Venue" ("id", "organizationId", "name", "slug", "timeZone", "city", "latitude", "longitude", "updatedAt")
     SELECT gen_random_uuid(), $1::uuid, 'Hall ' || v, 'bench-hall-' || v, 'Europe/Berlin', c.city,
            c.lat + (random() - 0.5) * 0.35, c.lng + (random() - 0.5) * 0.5, now()
     FROM generate_series(0, 199) v
     JOIN (SELECT * FROM unnest($2::text[], $3::float8[], $4::float8[]) WITH ORDINALITY AS t(city, lat, lng, n)) c ON c.n = v % 20 + 1`,
    [organizationId, CITIES.map((c) => c[0]), CITIES.map((c) => c[1]), CITIES.map((c) => c[2])],
  );
  const batch = 100_000;
  for (let offset = 0; offset < events; offset += batch) {
    const n = Math.min(batch, events - offset);
    await db.query(
      `WITH venues AS (SELECT "id", row_number() OVER (ORDER BY "id") - 1 AS k FROM "Venue" WHERE "slug" LIKE 'bench-hall-%'),
            words AS (SELECT $3::text[] AS w, $4::text[] AS kinds)
       INSERT INTO "Event" ("id", "organizationId", "venueId", "title", "slug", "startsAt", "endsAt", "status", "description", "categories", "costType", "updatedAt")
       SELECT gen_random_uuid(), $1::uuid, v."id",
              initcap(words.w[1 + (g * 7) % 20]) || ' ' || words.kinds[1 + (g / 20) % 10] || ' #' || g,
              'bench-' || g,
              s.starts, s.starts + interval '3 hours',
              CASE WHEN g % 10 = 0 THEN 'DRAFT'::"EventStatus" ELSE 'PUBLISHED'::"EventStatus" END,
              '<p>A ' || words.w[1 + (g * 13) % 20] || ' evening with <strong>' || words.w[1 + (g * 3) % 20] || '</strong> and friends.</p>',
              ARRAY[words.w[1 + (g * 7) % 20], words.w[1 + (g * 11) % 20]],
              CASE WHEN g % 3 = 0 THEN 'PAID'::"CostType" ELSE 'FREE'::"CostType" END,
              now()
       FROM generate_series($2::int, $2::int + $5::int - 1) g
       CROSS JOIN words
       CROSS JOIN LATERAL (SELECT timestamptz '2027-01-01' + (g % 365) * interval '1 day' + (g % 13) * interval '1 hour' AS starts) s
       JOIN venues v ON v.k = g % 200`,
      [organizationId, offset, WORDS, KINDS, n],
    );
    log(`search: inserted ${offset + n} events (${((Date.now() - began) / 1000).toFixed(0)} s)`);
  }
  await db.query(index[0]!.definition);
  log(`search: index built again (${((Date.now() - began) / 1000).toFixed(0)} s)`);
  await db.query('ANALYZE "Event"');
  await db.query('ANALYZE "Venue"');
}
