/**
 * Search benchmark (`npm run bench:search`): the platform on the PostgreSQL server, BENCH_SEARCH_EVENTS (default
 * 1,000,000) events bulk-inserted straight into the events schema (INSERT … SELECT generate_series, in batches; the
 * discovery trigger builds each search document with its search keys and copies the venue's coordinates), ANALYZE,
 * then searches combining keyword + date range + geo radius through the gateway at fixed concurrency
 * (BENCH_SEARCH_CONCURRENCY, default 8), the same filters once each in turn (totalCount exact or estimated), and
 * EXPLAIN (ANALYZE, BUFFERS) of the SQL behind one of them, with and without the search keys. Everything created is
 * dropped afterwards. BENCH_PROFILE=1 also prints the platform's CPU per search and where it went during each load.
 * The result is written into bench/RESULTS.md between <!-- search --> and <!-- /search --> (other sections kept).
 */
import { loadavg } from 'node:os';
import { Pool } from 'pg';
import { checkSearch, EXACT_COUNT_LIMIT } from '@eventgraph/subgraph-events/src/domain/search';
import { cappedCountSql, countedPageSql, searchPageSql } from '@eventgraph/subgraph-events/src/search-sql';
import { ANONYMOUS, parseId } from '@eventgraph/runtime';
import {
  benchDatabaseUrl,
  DEV_PRINCIPAL,
  forkWorker,
  machineInfo,
  ms,
  postgresVersion,
  runWorker,
  seedOrganization,
  startBenchPlatform,
  summarize,
} from './common';
import { cpuProfiler } from './cpu-profile';
import type { LoadJob, LoadResult } from './load-worker';
import { filterFor, findEventsSchema, loadSearchEvents } from './search-data';
import {
  DEFAULT_SEARCH_OPTIONS,
  formatSearchSection,
  writeSearchSection,
  type SearchBenchOptions,
  type SearchBenchResult,
} from './search-report';
import { runSqlLoad } from './search-sql-load';

export * from './search-report';

const SEARCH = `query Search($filter: EventSearchFilter, $sort: EventSort) {
  searchEvents(filter: $filter, sort: $sort, first: 20) { totalCount totalCountIsEstimate edges { cursor distanceKm rank node { id title startsAt } } }
}`;

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

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
    const schema = await findEventsSchema(pool, venue.id);
    const db = await pool.connect();
    const began = Date.now();
    const loadStart = loadAverage();
    try {
      await db.query(`SET search_path = "${schema}"`);
      await loadSearchEvents(db, org.id, options.events, log);
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
      const profiler = process.env.BENCH_PROFILE === '1' ? await cpuProfiler() : undefined;
      let cpuAtMeasure = process.cpuUsage();
      const result = await runWorker<LoadResult>(worker, job, (msg) => {
        if (msg?.type !== 'measuring') return;
        profiler?.start();
        cpuAtMeasure = process.cpuUsage();
      });
      if (profiler) {
        const cpu = process.cpuUsage(cpuAtMeasure);
        log(`  platform CPU per search: ${ms((cpu.user + cpu.system) / 1000 / result.requests)} ms`);
        log(await profiler.stop());
      }
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

    log('  the SQL alone, straight to PostgreSQL…');
    const sqlRows = await runSqlLoad(schema, options);
    for (const r of sqlRows) log(`  c=${options.concurrency} SQL ${r.query.padEnd(70)} p50 ${ms(r.p50)} ms  p99 ${ms(r.p99)} ms`);

    // the same filters once each, one at a time: the latency without queueing, and how totalCount came out
    const sequentialLatencies: number[] = [];
    const counts: { totalCount: number; totalCountIsEstimate: boolean }[] = [];
    for (let i = 0; i < 200; i++) {
      const at = performance.now();
      const data = await platform.data<{ searchEvents: { totalCount: number; totalCountIsEstimate: boolean } }>(SEARCH, {
        filter: filterFor(i),
        sort: 'START',
      });
      sequentialLatencies.push(performance.now() - at);
      counts.push(data.searchEvents);
    }
    const seq = summarize(sequentialLatencies);
    const sequential = {
      exact: counts.filter((c) => !c.totalCountIsEstimate).length,
      estimated: counts.filter((c) => c.totalCountIsEstimate).length,
      minCount: Math.min(...counts.map((c) => c.totalCount)),
      maxCount: Math.max(...counts.map((c) => c.totalCount)),
      p50: seq.p50,
      p99: seq.p99,
    };
    log(
      `  sequential: p50 ${ms(seq.p50)} ms, p99 ${ms(seq.p99)} ms; totalCount exact ${sequential.exact}, estimated ${sequential.estimated}`,
    );

    const plans: SearchBenchResult['plans'] = [];
    const explain = await pool.connect();
    let sizes: SearchBenchResult['sizes'];
    try {
      await explain.query(`SET search_path = "${schema}"`);
      const { rows: size } = await explain.query<{ index: string; table: string; keys: string }>(
        `SELECT pg_size_pretty(pg_relation_size('"Event_searchDocument_idx"')) AS "index",
                pg_size_pretty(pg_total_relation_size('"Event"')) AS "table",
                (SELECT avg(cardinality("event_search_keys"("startsAt", "endsAt", "latitude", "longitude")))
                   FROM (SELECT * FROM "Event" LIMIT 10000) e)::text AS "keys"`,
      );
      sizes = { index: size[0]!.index, table: size[0]!.table, keysPerEvent: Number(size[0]!.keys) };
      // the filter with the most matches (venues fall in cities at random: a keyword may miss a city)
      const input = filterFor(counts.reduce((best, c, i) => (c.totalCount > counts[best]!.totalCount ? i : best), 0));
      const filter = checkSearch({ ...input, from: new Date(input.from), to: new Date(input.to) }, 'START', parseId);
      const statements = [
        [
          'searchEvents as it runs now (page and exact count in one statement, search keys), platform service',
          countedPageSql(filter, 'START', DEV_PRINCIPAL, 21, EXACT_COUNT_LIMIT),
        ],
        ['the same, anonymous', countedPageSql(filter, 'START', ANONYMOUS, 21, EXACT_COUNT_LIMIT)],
        [
          'before: the page without search keys (a latitude/longitude box and the keyword), platform service',
          searchPageSql(filter, 'START', DEV_PRINCIPAL, 21, undefined, { keys: false }),
        ],
        [
          'the count alone, as when a page is read without it (search keys), platform service',
          cappedCountSql(filter, DEV_PRINCIPAL, EXACT_COUNT_LIMIT),
        ],
      ] as const;
      for (const [label, statement] of statements) {
        const { rows: plan } = await explain.query(`EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, statement.values as unknown[]);
        plans.push({ query: `${label}: ${JSON.stringify(input)}`, plan: plan.map((r) => r['QUERY PLAN']).join('\n') });
      }
    } finally {
      explain.release();
    }
    const m = machineInfo();
    const machine = `Measured on ${new Date(began).toISOString()} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, PostgreSQL ${await postgresVersion()}; load average (1/5/15 min) ${loadStart} → ${loadAverage()} (the machine and the PostgreSQL server were shared with other benchmarks and test runs meanwhile).`;
    return { options, loadSeconds, rows, plans, sqlRows, sequential, sizes, machine };
  } finally {
    worker.kill();
    await pool.end();
    await platform.stop(); // drops the schemas, and the million events with them
  }
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
