/**
 * Listing page (`npm run bench:listing`): one organisation with BENCH_LISTING_VENUES (default 10) venues and
 * BENCH_LISTING_EVENTS (default 600) PUBLISHED events, every third with a gate and one series (every ninth with two),
 * all created through the gateway. Then the federated page
 *
 *   events(organizationId, first: 100) { edges { node { id title startsAt venue { name city } organization { name } seriesCount } } }
 *
 * (events: event + venue; users: organization; access: seriesCount) through the gateway with the development
 * credential: closed-loop load at fixed concurrencies (BENCH_LISTING_CONCURRENCY, default "8,32"; BENCH_WARMUP_MS,
 * BENCH_DURATION_MS) from the forked load generator, and per page, over BENCH_LISTING_PAGES (default 50) sequential pages:
 *  - subgraph fetches: HTTP requests arriving at each subgraph's server, counted in this process with the
 *    `http.server.request.start` / `http.server.response.finish` diagnostics channels (also their server-side time),
 *    checked against the query plan Apollo's query planner builds for the operation from the platform's supergraph;
 *  - SQL statements per subgraph: deltas of `platform.subgraphs[name].queries.statements`, minus what the same
 *    subgraphs ran while idle for as long (outbox relays, consumers).
 * The result goes into bench/RESULTS.md between <!-- listing --> and <!-- /listing -->; the hand-written part between
 * <!-- listing-interpretation --> and <!-- /listing-interpretation --> is kept.
 */
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parse } from 'graphql';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { prettyFormatQueryPlan, QueryPlanner } from '@apollo/query-planner';
import { composePlatform } from '@eventgraph/platform/src/compose';
import {
  forkWorker,
  insertMarkedSection,
  machineInfo,
  ms,
  postgresVersion,
  readMarkedSection,
  runWorker,
  seedOrganization,
  sleep,
  startBenchPlatform,
  summarize,
  type BenchPlatform,
} from './common';
import type { LoadJob, LoadResult } from './load-worker';

export interface ListingBenchOptions {
  events: number;
  venues: number;
  pageSize: number;
  concurrencies: number[];
  warmupMs: number;
  durationMs: number;
  /** sequential pages over which fetches and statements are counted */
  pages: number;
}

export const DEFAULT_LISTING_OPTIONS: ListingBenchOptions = {
  events: Number(process.env.BENCH_LISTING_EVENTS ?? 600),
  venues: Number(process.env.BENCH_LISTING_VENUES ?? 10),
  pageSize: 100,
  concurrencies: (process.env.BENCH_LISTING_CONCURRENCY ?? '8,32').split(',').map(Number),
  warmupMs: Number(process.env.BENCH_WARMUP_MS ?? 2_000),
  durationMs: Number(process.env.BENCH_DURATION_MS ?? 10_000),
  pages: Number(process.env.BENCH_LISTING_PAGES ?? 50),
};

export const LISTING_QUERY = `query($o: ID!) { events(organizationId: $o, first: 100) { edges { node { id title startsAt venue { name city } organization { name } seriesCount } } } }`;
/** the same page without the users and access parts: what the events subgraph alone costs through the gateway */
const EVENTS_ONLY_QUERY = `query($o: ID!) { events(organizationId: $o, first: 100) { edges { node { id title startsAt venue { name city } } } } }`;

const SUBGRAPH_ORDER = ['events', 'users', 'access', 'ingest'];

// ---------------------------------------------------------------- counting HTTP requests per server

interface ServerTally {
  requests: number;
  /** server-side time (request start → response finished), ms */
  busyMs: number;
}

/** Counts requests and their server-side time per listening port of this process. */
function tallyServers() {
  const tallies = new Map<number, ServerTally>();
  const started = new WeakMap<IncomingMessage, number>();
  const portOf = (server: Server) => {
    const address = server.address();
    return typeof address === 'object' && address ? address.port : -1;
  };
  const onStart = (message: unknown) => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    started.set(request, performance.now());
    const port = portOf(server);
    const t = tallies.get(port) ?? { requests: 0, busyMs: 0 };
    t.requests++;
    tallies.set(port, t);
  };
  const onFinish = (message: unknown) => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    const t0 = started.get(request);
    const t = tallies.get(portOf(server));
    if (t0 !== undefined && t) t.busyMs += performance.now() - t0;
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  diagnostics.subscribe('http.server.response.finish', onFinish);
  return {
    snapshot: () => new Map([...tallies].map(([port, t]) => [port, { ...t }])),
    close() {
      diagnostics.unsubscribe('http.server.request.start', onStart);
      diagnostics.unsubscribe('http.server.response.finish', onFinish);
    },
  };
}

// ---------------------------------------------------------------- query plan

interface PlanSummary {
  text: string;
  fetches: Record<string, number>;
}

/** The plan Apollo's query planner (the gateway's, same version) builds for the listing page on this supergraph. */
function listingQueryPlan(): PlanSummary {
  const composition = composePlatform();
  if (!composition.ok) throw new Error('the subgraphs do not compose');
  const supergraph = Supergraph.build(composition.supergraphSdl);
  const planner = new QueryPlanner(supergraph);
  const operation = operationFromDocument(supergraph.schema, parse(LISTING_QUERY));
  const plan = planner.buildQueryPlan(operation);
  const fetches: Record<string, number> = {};
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const n = node as { kind?: string; serviceName?: string };
    if (n.kind === 'Fetch' && n.serviceName) fetches[n.serviceName] = (fetches[n.serviceName] ?? 0) + 1;
    for (const [key, value] of Object.entries(node))
      if (key !== 'operation' && key !== 'operationDocumentNode' && typeof value === 'object') walk(value);
  };
  walk(plan.node);
  return { text: prettyFormatQueryPlan(plan), fetches };
}

// ---------------------------------------------------------------- seed

async function seed(platform: BenchPlatform, options: ListingBenchOptions, log: (line: string) => void) {
  const tag = Math.random().toString(36).slice(2, 8);
  const { org, venue } = await seedOrganization(platform, tag);
  const cities = ['Berlin', 'Hamburg', 'Munich', 'Cologne', 'Leipzig', 'Dresden', 'Bremen', 'Hanover', 'Stuttgart', 'Frankfurt'];
  const venues = [venue.id];
  for (let v = 1; v < options.venues; v++) {
    const input = {
      organizationId: org.id,
      name: `Bench Stage ${v}`,
      slug: `bench-stage-${tag}-${v}`,
      timeZone: 'Europe/Berlin',
      city: cities[v % cities.length],
    };
    venues.push(
      (
        await platform.data<{ createVenue: { id: string } }>(
          `mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`,
          { input },
        )
      ).createVenue.id,
    );
  }
  let series = 0;
  const began = Date.now();
  const one = async (i: number) => {
    // one event per hour from 2027-07-01, so the first page (by start time) mixes events with and without series
    const starts = new Date(Date.UTC(2027, 6, 1, 10) + i * 3_600_000);
    const ends = new Date(starts.getTime() + 3 * 3_600_000);
    const input = {
      venueId: venues[i % venues.length],
      title: `Bench Set ${i}`,
      slug: `bench-set-${tag}-${i}`,
      startsAt: starts.toISOString(),
      endsAt: ends.toISOString(),
    };
    const { createEvent } = await platform.data<{ createEvent: { id: string } }>(
      `mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`,
      { input },
    );
    await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: createEvent.id });
    if (i % 3 !== 0) return;
    // access learns of the event from the bus; createGate waits (up to 3 s) until it has
    const { createGate } = await platform.data<{ createGate: { id: string } }>(
      `mutation($input: CreateGateInput!) { createGate(input: $input) { id } }`,
      {
        input: { eventId: createEvent.id, name: 'Main', direction: 'BOTH' },
      },
    );
    // series of one event may not overlap: they share the event's time
    const count = i % 9 === 0 ? 2 : 1;
    const span = (Date.parse(input.endsAt) - Date.parse(input.startsAt)) / count;
    for (let s = 0; s < count; s++) {
      await platform.data(`mutation($input: CreateEventSeriesInput!) { createEventSeries(input: $input) { id } }`, {
        input: {
          eventId: createEvent.id,
          name: `Day ${s + 1}`,
          startsAt: new Date(Date.parse(input.startsAt) + s * span).toISOString(),
          endsAt: new Date(Date.parse(input.startsAt) + (s + 1) * span).toISOString(),
          capacity: 500,
          gateIds: [createGate.id],
        },
      });
      series++;
    }
  };
  // a few at a time: seeding is not what is measured
  const parallel = 4;
  for (let i = 0; i < options.events; i += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, options.events - i) }, (_, k) => one(i + k)));
  }
  const seedSeconds = (Date.now() - began) / 1000;
  log(
    `listing-page: seeded 1 organisation, ${venues.length} venues, ${options.events} PUBLISHED events, ${series} series in ${seedSeconds.toFixed(0)} s`,
  );
  return { org, venues: venues.length, series, seedSeconds };
}

// ---------------------------------------------------------------- run

export interface ListingRow {
  query: string;
  concurrency: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  errors: number;
  errorSamples: string[];
  serverCpu: number;
  serverElu: number;
  /** subgraph requests per page during the measured window (≈: requests in flight at the edges) */
  fetchesPerPage: number;
}

export interface PerSubgraph {
  name: string;
  fetchesPerPage: number;
  planFetches: number;
  statementsPerPage: number;
  idleStatements: number;
  /** server-side time of this subgraph's requests per page, ms */
  serverMsPerPage: number;
}

export interface ListingBenchResult {
  options: ListingBenchOptions;
  when: string;
  tookSeconds: number;
  machine: string;
  seeded: { venues: number; series: number; seedSeconds: number };
  page: { seriesEvents: number; seriesTotal: number; venues: number; bytes: number };
  sequential: { p50: number; gatewayServerMs: number; eventsOnlyP50: number; cpuMsPerPage: number };
  perSubgraph: PerSubgraph[];
  plan: PlanSummary;
  rows: ListingRow[];
}

export async function runListingBench(
  options: ListingBenchOptions = DEFAULT_LISTING_OPTIONS,
  log = console.log,
): Promise<ListingBenchResult> {
  const began = Date.now();
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ');
  const loadBefore = load();
  const info = machineInfo();
  const machineLine = `${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, Node ${info.node}, PostgreSQL ${await postgresVersion()}`;
  const plan = listingQueryPlan();
  log(`listing-page: query plan fetches ${JSON.stringify(plan.fetches)}`);
  log(`listing-page: starting the platform (PostgreSQL, in-memory bus)…`);
  const platform = await startBenchPlatform('memory');
  const worker = forkWorker('load-worker.ts');
  const tally = tallyServers();
  try {
    const seeded = await seed(platform, options, log);
    const variables = { o: seeded.org.id };

    // sanity: the page is what the issue describes
    type Page = {
      events: {
        edges: {
          node: { id: string; venue: { name: string; city: string | null }; organization: { name: string }; seriesCount: number };
        }[];
      };
    };
    const page = await platform.data<Page>(LISTING_QUERY, variables);
    const check = { events: page.events.edges.map((e) => e.node) };
    if (
      check.events.length !== options.pageSize ||
      check.events.some((e) => e.organization?.name !== seeded.org.name || !e.venue?.name)
    ) {
      throw new Error(`unexpected page ${JSON.stringify(check).slice(0, 500)}`);
    }
    const pageInfo = {
      seriesEvents: check.events.filter((e) => e.seriesCount > 0).length,
      seriesTotal: check.events.reduce((n, e) => n + e.seriesCount, 0),
      venues: new Set(check.events.map((e) => e.venue.name)).size,
      bytes: Buffer.byteLength(JSON.stringify({ data: page })),
    };
    if (pageInfo.seriesEvents === 0) throw new Error('no event of the page has a series');

    const ports = new Map<number, string>([
      [platform.gateway.port, 'gateway'],
      ...Object.entries(platform.subgraphs).map(([name, s]) => [s.port, name] as [number, string]),
    ]);
    const names = [
      ...SUBGRAPH_ORDER.filter((n) => platform.subgraphs[n]),
      ...Object.keys(platform.subgraphs).filter((n) => !SUBGRAPH_ORDER.includes(n)),
    ];
    const statements = () => Object.fromEntries(names.map((n) => [n, platform.subgraphs[n]!.queries.statements]));
    const byName = (before: Map<number, ServerTally>, after: Map<number, ServerTally>) => {
      const out: Record<string, ServerTally> = {};
      for (const [port, t] of after) {
        const name = ports.get(port);
        if (!name) continue;
        const b = before.get(port) ?? { requests: 0, busyMs: 0 };
        out[name] = { requests: t.requests - b.requests, busyMs: t.busyMs - b.busyMs };
      }
      return out;
    };

    // warm the gateway's plan cache, JIT and the subgraphs' caches
    for (let i = 0; i < 20; i++) await platform.data(LISTING_QUERY, variables);
    for (let i = 0; i < 20; i++) await platform.data(EVENTS_ONLY_QUERY, variables);

    // idle baseline: what the subgraphs' databases run on their own (relays, consumers) in the same time
    const t0 = performance.now();
    const latencies: number[] = [];
    const s0 = statements();
    const h0 = tally.snapshot();
    const c0 = process.cpuUsage();
    for (let i = 0; i < options.pages; i++) {
      const a = performance.now();
      await platform.data(LISTING_QUERY, variables);
      latencies.push(performance.now() - a);
    }
    const c1 = process.cpuUsage(c0);
    const h1 = tally.snapshot();
    const s1 = statements();
    const pagesMs = performance.now() - t0;
    const i0 = statements();
    await sleep(pagesMs);
    const i1 = statements();
    const http = byName(h0, h1);
    const perSubgraph: PerSubgraph[] = names.map((name) => ({
      name,
      fetchesPerPage: (http[name]?.requests ?? 0) / options.pages,
      planFetches: plan.fetches[name] ?? 0,
      statementsPerPage: (s1[name]! - s0[name]!) / options.pages,
      idleStatements: i1[name]! - i0[name]!,
      serverMsPerPage: (http[name]?.busyMs ?? 0) / options.pages,
    }));
    const eventsOnly: number[] = [];
    for (let i = 0; i < options.pages; i++) {
      const a = performance.now();
      await platform.data(EVENTS_ONLY_QUERY, variables);
      eventsOnly.push(performance.now() - a);
    }
    const sequential = {
      p50: summarize(latencies).p50,
      gatewayServerMs: (http.gateway?.busyMs ?? 0) / options.pages,
      eventsOnlyP50: summarize(eventsOnly).p50,
      cpuMsPerPage: (c1.user + c1.system) / 1000 / options.pages,
    };
    log(
      `listing-page: ${options.pages} sequential pages, p50 ${ms(sequential.p50)} ms (events-only page ${ms(sequential.eventsOnlyP50)} ms), gateway server time ${ms(sequential.gatewayServerMs)} ms/page, platform CPU ${ms(sequential.cpuMsPerPage)} ms/page`,
    );
    for (const s of perSubgraph) {
      log(
        `  ${s.name.padEnd(7)} fetches/page ${s.fetchesPerPage} (plan ${s.planFetches})  SQL statements/page ${s.statementsPerPage} (idle ${s.idleStatements} in ${ms(pagesMs, 0)} ms)  server ${ms(s.serverMsPerPage, 2)} ms/page`,
      );
    }

    const body = JSON.stringify({ query: LISTING_QUERY, variables });
    const targets = [
      { query: 'full page (events + users + access)', bodies: [body], expect: '"seriesCount"' },
      {
        query: 'events part only (`id title startsAt venue { name city }`)',
        bodies: [JSON.stringify({ query: EVENTS_ONLY_QUERY, variables })],
        expect: '"venue"',
      },
    ];
    const rows: ListingRow[] = [];
    for (const concurrency of options.concurrencies) {
      for (const t of targets) {
        const job: LoadJob = {
          url: platform.gateway.url,
          headers: { authorization: `Bearer ${platform.devToken}` },
          bodies: t.bodies,
          concurrency,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
          expect: t.expect,
        };
        let cpu0 = process.cpuUsage();
        let elu0 = performance.eventLoopUtilization();
        let before = tally.snapshot();
        const result = await runWorker<LoadResult>(worker, job, (msg) => {
          if (msg?.type === 'measuring') {
            cpu0 = process.cpuUsage();
            elu0 = performance.eventLoopUtilization();
            before = tally.snapshot();
          }
        });
        const cpu = process.cpuUsage(cpu0);
        const elu = performance.eventLoopUtilization(elu0);
        const during = byName(before, tally.snapshot());
        const gatewayRequests = during.gateway?.requests ?? 0;
        const subgraphRequests = names.reduce((n, name) => n + (during[name]?.requests ?? 0), 0);
        const row: ListingRow = {
          query: t.query,
          concurrency,
          ...summarize(result.latencies),
          requests: result.requests,
          errors: result.errors,
          errorSamples: result.errorSamples,
          rps: result.rps,
          serverCpu: (cpu.user + cpu.system) / 1000 / options.durationMs,
          serverElu: elu.utilization,
          fetchesPerPage: gatewayRequests ? subgraphRequests / gatewayRequests : NaN,
        };
        rows.push(row);
        log(
          `  c=${String(concurrency).padStart(3)} ${t.query.padEnd(60)} ${row.rps.toFixed(0).padStart(5)} req/s  p50 ${ms(row.p50)} ms  p99 ${ms(row.p99)} ms  errors ${row.errors}/${row.requests}  subgraph fetches/page ${row.fetchesPerPage.toFixed(2)}`,
        );
        if (row.errorSamples.length) log(`    error samples: ${row.errorSamples.join(' | ')}`);
      }
    }
    const tookSeconds = Math.round((Date.now() - began) / 1000);
    return {
      options,
      when: new Date(began).toISOString(),
      tookSeconds,
      machine: `${machineLine}; load average (1/5/15 min) ${loadBefore} → ${load()}`,
      seeded: { venues: seeded.venues, series: seeded.series, seedSeconds: seeded.seedSeconds },
      page: pageInfo,
      sequential,
      perSubgraph,
      plan,
      rows,
    };
  } finally {
    tally.close();
    worker.kill();
    await platform.stop();
  }
}

// ---------------------------------------------------------------- RESULTS.md

const START = '<!-- listing -->';
const END = '<!-- /listing -->';
const NOTE_START = '<!-- listing-interpretation -->';
const NOTE_END = '<!-- /listing-interpretation -->';

/** at most two decimals, no trailing zeros */
const num = (v: number) => String(Number(v.toFixed(2)));

export function formatListingSection(
  r: ListingBenchResult,
  interpretation = `${NOTE_START}\n_(no interpretation written yet)_\n${NOTE_END}`,
): string {
  const o = r.options;
  const shown = r.perSubgraph.filter((s) => s.fetchesPerPage || s.planFetches || s.statementsPerPage);
  const lines = [
    START,
    '## 5. Federated listing page (`bench/src/listing-page.ts`)',
    '',
    `Measured on ${r.when} (took ${r.tookSeconds} s) on ${r.machine}.`,
    '',
    `Seed (through the gateway, ${r.seeded.seedSeconds.toFixed(0)} s): 1 organisation, ${r.seeded.venues} venues, ${o.events} PUBLISHED events one hour apart, every third with a gate and a series`,
    `(every ninth with two): ${r.seeded.series} series. The page, with the development credential:`,
    '',
    '```graphql',
    LISTING_QUERY,
    '```',
    '',
    `${o.pageSize} events from ${r.page.venues} venues, ${r.page.seriesEvents} of them with series (${r.page.seriesTotal} in all), ${(r.page.bytes / 1024).toFixed(1)} KiB of JSON.`,
    `Load: closed loop from the forked load generator as in section 1, every request the same page, ${o.warmupMs / 1000} s warm-up then ${o.durationMs / 1000} s measured per row;`,
    'the "events part only" rows send the same page without `organization` and `seriesCount` (a single fetch to events).',
    '"subgraph fetches / page" = HTTP requests that reached the subgraph servers ÷ requests that reached the gateway in the window.',
    '',
    '| concurrency | query | req/s | p50 ms | p90 ms | p99 ms | max ms | errors / requests | subgraph fetches / page | server CPU | server ELU |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.rows.map(
      (x) =>
        `| ${x.concurrency} | ${x.query} | ${x.rps.toFixed(0)} | ${ms(x.p50)} | ${ms(x.p90)} | ${ms(x.p99)} | ${ms(x.max)} | ${x.errors} / ${x.requests} | ${x.fetchesPerPage.toFixed(2)} | ${(x.serverCpu * 100).toFixed(0)}% | ${(x.serverElu * 100).toFixed(0)}% |`,
    ),
    '',
    `Per page, over ${o.pages} sequential pages (one at a time, after 20 warm-up pages): HTTP requests arriving at each subgraph (diagnostics channel`,
    '`http.server.request.start` in the platform process) and their server-side time (until `http.server.response.finish`), the fetches in',
    'Apollo\'s query plan for the operation, and the SQL statements each subgraph\'s database ran (`queries.statements` deltas; "idle" = statements',
    'the same subgraph ran on its own in an equally long quiet period, e.g. outbox relay polls, already included in the per-page figure).',
    `Sequential page p50 ${ms(r.sequential.p50)} ms (events part only: ${ms(r.sequential.eventsOnlyP50)} ms); gateway server time ${ms(r.sequential.gatewayServerMs, 2)} ms per page; CPU time of the platform process (gateway + subgraphs + the in-process client sending the pages; not PostgreSQL) ${ms(r.sequential.cpuMsPerPage, 2)} ms per page.`,
    '',
    '| subgraph | fetches / page (measured) | fetches in the query plan | SQL statements / page | idle statements in the same time | server time ms / page |',
    '|---|---:|---:|---:|---:|---:|',
    ...shown.map(
      (s) =>
        `| ${s.name} | ${num(s.fetchesPerPage)} | ${s.planFetches} | ${num(s.statementsPerPage)} | ${s.idleStatements} | ${ms(s.serverMsPerPage, 2)} |`,
    ),
    `| **total** | ${num(shown.reduce((n, s) => n + s.fetchesPerPage, 0))} | ${shown.reduce((n, s) => n + s.planFetches, 0)} | ${num(shown.reduce((n, s) => n + s.statementsPerPage, 0))} | | ${ms(
      shown.reduce((n, s) => n + s.serverMsPerPage, 0),
      2,
    )} |`,
    '',
    "Query plan (`@apollo/query-planner`, the version the gateway uses, on the platform's composed supergraph):",
    '',
    '```',
    r.plan.text,
    '```',
    '',
    interpretation,
    END,
  ];
  return lines.join('\n');
}

/** The hand-written interpretation of the previous run (kept on rewrite). */
function keptInterpretation(current: string): string | undefined {
  const start = current.indexOf(NOTE_START);
  const end = current.indexOf(NOTE_END);
  return start >= 0 && end > start ? current.slice(start, end + NOTE_END.length) : undefined;
}

/** The listing section of RESULTS.md as it is (run.ts keeps it when it rewrites the file with BENCH_SKIP_LISTING=1). */
export const readListingSection = (): string | null => readMarkedSection('listing');

export const insertListingSection = (section: string): void => insertMarkedSection('listing', section);

/** Writes the result into RESULTS.md, keeping the previous interpretation (from `previousSection` if given, else the file). */
export function writeListingSection(result: ListingBenchResult, previousSection?: string | null): void {
  const kept = keptInterpretation(previousSection ?? readListingSection() ?? '');
  insertListingSection(formatListingSection(result, kept));
}

if (require.main === module) {
  runListingBench()
    .then((result) => {
      writeListingSection(result);
      console.log(formatListingSection(result));
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
