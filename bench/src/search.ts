/**
 * Search benchmark (`npm run bench:search`): the platform on the PostgreSQL server, BENCH_SEARCH_EVENTS (default
 * 1,000,000) events bulk-inserted straight into the events schema (INSERT … SELECT generate_series, in batches; the
 * discovery trigger builds each search document and copies the venue's coordinates), ANALYZE, then searches combining
 * keyword + date range + geo radius through the gateway at fixed concurrency (BENCH_SEARCH_CONCURRENCY, default 8),
 * and EXPLAIN (ANALYZE, BUFFERS) of the SQL behind one of them. Everything created is dropped afterwards.
 * The result is written into bench/RESULTS.md between <!-- search --> and <!-- /search --> (other sections kept).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { checkSearch } from '@eventgraph/subgraph-events/src/domain/search';
import { searchPageSql } from '@eventgraph/subgraph-events/src/schema/search';
import { ANONYMOUS, parseId } from '@eventgraph/runtime';
import {
  benchDatabaseUrl,
  benchDir,
  DEV_PRINCIPAL,
  forkWorker,
  ms,
  runWorker,
  seedOrganization,
  startBenchPlatform,
  summarize,
} from './common';
import type { LoadJob, LoadResult } from './load-worker';

export interface SearchBenchOptions {
  events: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export const DEFAULT_SEARCH_OPTIONS: SearchBenchOptions = {
  events: Number(process.env.BENCH_SEARCH_EVENTS ?? 1_000_000),
  concurrency: Number(process.env.BENCH_SEARCH_CONCURRENCY ?? 8),
  warmupMs: Number(process.env.BENCH_WARMUP_MS ?? 2_000),
  durationMs: Number(process.env.BENCH_DURATION_MS ?? 15_000),
};

const CITIES: [string, number, number][] = [
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
const WORDS = [
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
const KINDS = ['night', 'festival', 'session', 'workshop', 'concert', 'meetup', 'party', 'tour', 'gala', 'brunch'];

const SEARCH = `query Search($filter: EventSearchFilter, $sort: EventSort) {
  searchEvents(filter: $filter, sort: $sort, first: 20) { totalCount edges { cursor distanceKm rank node { id title startsAt } } }
}`;

export interface SearchBenchResult {
  options: SearchBenchOptions;
  loadSeconds: number;
  rows: {
    query: string;
    rps: number;
    p50: number;
    p90: number;
    p99: number;
    requests: number;
    errors: number;
    errorSamples: string[];
  }[];
  plans: { query: string; plan: string }[];
}

function filterFor(i: number) {
  const [, lat, lng] = CITIES[i % CITIES.length]!;
  const day = 1 + (i % 20);
  return {
    text: WORDS[(i * 7) % WORDS.length],
    from: `2027-0${4 + (i % 3)}-${String(day).padStart(2, '0')}T00:00:00Z`,
    to: `2027-0${5 + (i % 3)}-${String(day).padStart(2, '0')}T00:00:00Z`,
    near: { latitude: lat, longitude: lng, radiusKm: 25 },
  };
}

export async function runSearchBench(
  options: SearchBenchOptions = DEFAULT_SEARCH_OPTIONS,
  log = console.log,
): Promise<SearchBenchResult> {
  log(`search: starting the platform (PostgreSQL, in-memory bus)…`);
  const platform = await startBenchPlatform('memory');
  const worker = forkWorker('load-worker.ts');
  const pool = new Pool({ connectionString: benchDatabaseUrl(), max: 4 });
  try {
    const tag = Math.random().toString(36).slice(2, 8);
    const { org, venue } = await seedOrganization(platform, tag);
    const { rows: found } = await pool.query<{ schema: string }>(
      `SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'Venue' AND table_schema LIKE 'b%\\_events'`,
    );
    let schema = '';
    for (const { schema: s } of found) {
      const { rowCount } = await pool.query(`SELECT 1 FROM "${s}"."Venue" WHERE "id" = $1`, [venue.id]);
      if (rowCount) schema = s;
    }
    if (!schema) throw new Error('events schema not found');
    const db = await pool.connect();
    const began = Date.now();
    try {
      await db.query(`SET search_path = "${schema}"`);
      // 200 venues around 20 cities (within ~20 km)
      await db.query(
        `INSERT INTO "Venue" ("id", "organizationId", "name", "slug", "timeZone", "city", "latitude", "longitude", "updatedAt")
         SELECT gen_random_uuid(), $1::uuid, 'Hall ' || v, 'bench-hall-' || v, 'Europe/Berlin', c.city,
                c.lat + (random() - 0.5) * 0.35, c.lng + (random() - 0.5) * 0.5, now()
         FROM generate_series(0, 199) v
         JOIN (SELECT * FROM unnest($2::text[], $3::float8[], $4::float8[]) WITH ORDINALITY AS t(city, lat, lng, n)) c ON c.n = v % 20 + 1`,
        [org.id, CITIES.map((c) => c[0]), CITIES.map((c) => c[1]), CITIES.map((c) => c[2])],
      );
      const batch = 100_000;
      for (let offset = 0; offset < options.events; offset += batch) {
        const n = Math.min(batch, options.events - offset);
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
          [org.id, offset, WORDS, KINDS, n],
        );
        log(`search: inserted ${offset + n} events (${((Date.now() - began) / 1000).toFixed(0)} s)`);
      }
      await db.query('ANALYZE "Event"');
      await db.query('ANALYZE "Venue"');
    } finally {
      db.release();
    }
    const loadSeconds = (Date.now() - began) / 1000;
    log(`search: loaded ${options.events} events in ${loadSeconds.toFixed(0)} s`);

    const kinds = [
      { query: 'text + date range (1 month) + 25 km radius, sort START', sort: 'START', filter: (i: number) => filterFor(i) },
      { query: 'text + date range + 25 km radius, sort DISTANCE', sort: 'DISTANCE', filter: (i: number) => filterFor(i) },
      { query: 'text + date range + 25 km radius, sort RELEVANCE', sort: 'RELEVANCE', filter: (i: number) => filterFor(i) },
    ];
    const rows: SearchBenchResult['rows'] = [];
    for (const k of kinds) {
      const bodies = Array.from({ length: 200 }, (_, i) =>
        JSON.stringify({ query: SEARCH, variables: { filter: k.filter(i), sort: k.sort } }),
      );
      const job: LoadJob = {
        url: platform.gateway.url,
        headers: { authorization: `Bearer ${platform.devToken}` },
        bodies,
        concurrency: options.concurrency,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        expect: '"searchEvents"',
      };
      const result = await runWorker<LoadResult>(worker, job);
      const s = summarize(result.latencies);
      rows.push({
        query: k.query,
        rps: result.rps,
        p50: s.p50,
        p90: s.p90,
        p99: s.p99,
        requests: result.requests,
        errors: result.errors,
        errorSamples: result.errorSamples,
      });
      log(
        `  c=${options.concurrency} ${k.query.padEnd(56)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(s.p50)} ms  p99 ${ms(s.p99)} ms  errors ${result.errors}`,
      );
    }

    const plans: SearchBenchResult['plans'] = [];
    const explain = await pool.connect();
    try {
      await explain.query(`SET search_path = "${schema}"`);
      for (const k of kinds.slice(0, 1)) {
        const input = filterFor(3);
        const filter = checkSearch({ ...input, from: new Date(input.from), to: new Date(input.to) }, k.sort as 'START', parseId);
        for (const [label, anonymous] of [
          ['platform service', false],
          ['anonymous', true],
        ] as const) {
          const principal = anonymous ? ANONYMOUS : DEV_PRINCIPAL;
          const page = searchPageSql(filter, 'START', principal, 21);
          const { rows: plan } = await explain.query(`EXPLAIN (ANALYZE, BUFFERS) ${page.text}`, page.values as unknown[]);
          plans.push({
            query: `${k.query} — ${label}: ${JSON.stringify(input)}`,
            plan: plan.map((r) => r['QUERY PLAN']).join('\n'),
          });
        }
      }
    } finally {
      explain.release();
    }
    return { options, loadSeconds, rows, plans };
  } finally {
    worker.kill();
    await pool.end();
    await platform.stop(); // drops the schemas, and the million events with them
  }
}

const START = '<!-- search -->';
const END = '<!-- /search -->';

export function formatSearchSection(result: SearchBenchResult, machine = ''): string {
  const lines = [
    START,
    '## 4. Search (`bench/src/search.ts`)',
    '',
    `${result.options.events.toLocaleString('en')} events (90% published, 200 venues around 20 European cities, start times over 2027) bulk-inserted with \`INSERT … SELECT generate_series\` in ${result.loadSeconds.toFixed(0)} s (search documents and coordinates built by the discovery trigger), then \`ANALYZE\`. Closed-loop load through the gateway (development credential), concurrency ${result.options.concurrency}, ${result.options.durationMs / 1000} s after ${result.options.warmupMs / 1000} s warm-up, 200 different filters round-robin (a keyword, a one-month range, 25 km around a city), first: 20 with totalCount. ${machine}`,
    '',
    '| query | req/s | p50 ms | p90 ms | p99 ms | errors / requests |',
    '|---|---:|---:|---:|---:|---:|',
    ...result.rows.map(
      (r) => `| ${r.query} | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${r.errors} / ${r.requests} |`,
    ),
    '',
    ...result.plans.flatMap((p) => [`EXPLAIN (ANALYZE, BUFFERS) of one page, ${p.query}:`, '', '```', p.plan, '```', '']),
    END,
  ];
  return lines.join('\n');
}

const resultsFile = () => join(benchDir, 'RESULTS.md');

/** The search section of RESULTS.md as it is (run.ts keeps it when it rewrites the file with BENCH_SKIP_SEARCH=1). */
export function readSearchSection(): string | null {
  const current = existsSync(resultsFile()) ? readFileSync(resultsFile(), 'utf8') : '';
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  return start >= 0 && end > start ? current.slice(start, end + END.length) : null;
}

export const writeSearchSection = (result: SearchBenchResult, machine = '') =>
  insertSearchSection(formatSearchSection(result, machine));

/** Puts `section` into RESULTS.md: in place of the previous one, else before the interpretation. */
export function insertSearchSection(section: string): void {
  const file = resultsFile();
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Eventgraph benchmarks\n';
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  let next: string;
  if (start >= 0 && end > start) next = current.slice(0, start) + section + current.slice(end + END.length);
  else {
    const interpretation = current.indexOf('\n## Interpretation');
    next =
      interpretation >= 0
        ? `${current.slice(0, interpretation)}\n${section}\n${current.slice(interpretation)}`
        : `${current.trimEnd()}\n\n${section}\n`;
  }
  writeFileSync(file, next);
}

if (require.main === module) {
  runSearchBench()
    .then((result) => {
      writeSearchSection(result);
      console.log(formatSearchSection(result));
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
