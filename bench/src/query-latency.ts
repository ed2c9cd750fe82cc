/**
 * Query latency: the platform runs in this process on the PostgreSQL server; the load generator
 * (load-worker.ts) runs in a forked process and drives a fixed concurrency for a fixed duration
 * against (a) the gateway with a query crossing events + users, (b) the gateway with the events-only
 * part, (c) the events subgraph directly with the events-only part and a signed principal.
 */
import { performance } from 'node:perf_hooks';
import { PRINCIPAL_HEADER, signPrincipal } from '@eventgraph/runtime';
import {
  createEvent,
  DEV_PRINCIPAL,
  forkWorker,
  ms,
  runWorker,
  seedOrganization,
  startBenchPlatform,
  summarize,
  type LatencySummary,
} from './common';
import type { LoadJob, LoadResult } from './load-worker';

export interface QueryBenchOptions {
  events: number;
  concurrencies: number[];
  warmupMs: number;
  durationMs: number;
}

export const DEFAULT_QUERY_OPTIONS: QueryBenchOptions = {
  events: 50,
  concurrencies: [16, 64],
  warmupMs: Number(process.env.BENCH_WARMUP_MS ?? 2_000),
  durationMs: Number(process.env.BENCH_DURATION_MS ?? 10_000),
};

export const QUERIES = {
  gatewayFederated: `query Bench($id: ID!) { event(id: $id) { title venue { name } organization { name } } }`,
  eventsOnly: `query Bench($id: ID!) { event(id: $id) { title venue { name } } }`,
};

export interface QueryRow extends LatencySummary {
  target: string;
  query: string;
  concurrency: number;
  requests: number;
  errors: number;
  errorSamples: string[];
  rps: number;
  /** share of one core the platform process (gateway + 4 subgraphs) used during the measured window */
  serverCpu: number;
  /** event-loop utilisation of the platform process during the measured window */
  serverElu: number;
  clientCpu: number;
}

export interface QueryBenchResult {
  options: QueryBenchOptions;
  rows: QueryRow[];
  mode: string;
}

export async function runQueryLatency(
  options: QueryBenchOptions = DEFAULT_QUERY_OPTIONS,
  log = console.log,
): Promise<QueryBenchResult> {
  log(`query-latency: starting the platform (PostgreSQL, in-memory bus)…`);
  const platform = await startBenchPlatform('memory');
  const worker = forkWorker('load-worker.ts');
  try {
    const tag = Math.random().toString(36).slice(2, 8);
    const { org, venue } = await seedOrganization(platform, tag);
    const ids: string[] = [];
    for (let i = 0; i < options.events; i++)
      ids.push(await createEvent(platform, venue.id, `Bench Event ${i}`, `bench-event-${tag}-${i}`));
    log(`query-latency: seeded 1 organisation, 1 venue, ${ids.length} events`);

    // sanity: both paths answer what we expect
    const check = await platform.data(QUERIES.gatewayFederated, { id: ids[0] });
    if (check.event?.organization?.name !== org.name || check.event?.venue?.name !== 'Bench Arena')
      throw new Error(`unexpected answer ${JSON.stringify(check)}`);

    const bodies = (query: string) => ids.map((id) => JSON.stringify({ query, variables: { id } }));
    const gatewayHeaders = { authorization: `Bearer ${platform.devToken}` };
    // valid for an hour: far longer than the run
    const directHeaders = {
      [PRINCIPAL_HEADER]: signPrincipal(DEV_PRINCIPAL, platform.settings.EVENTGRAPH_PRINCIPAL_SECRET, 3600),
    };
    const targets = [
      {
        target: 'gateway',
        query: 'event { title venue { name } organization { name } } (events + users)',
        url: platform.gateway.url,
        headers: gatewayHeaders,
        bodies: bodies(QUERIES.gatewayFederated),
        expect: '"organization":{"name"',
      },
      {
        target: 'gateway',
        query: 'event { title venue { name } } (events only)',
        url: platform.gateway.url,
        headers: gatewayHeaders,
        bodies: bodies(QUERIES.eventsOnly),
        expect: '"venue":{"name"',
      },
      {
        target: 'events subgraph (direct)',
        query: 'event { title venue { name } }',
        url: platform.subgraphs.events!.url,
        headers: directHeaders,
        bodies: bodies(QUERIES.eventsOnly),
        expect: '"venue":{"name"',
      },
    ];

    const rows: QueryRow[] = [];
    for (const concurrency of options.concurrencies) {
      for (const t of targets) {
        const job: LoadJob = {
          url: t.url,
          headers: t.headers,
          bodies: t.bodies,
          concurrency,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
          expect: t.expect,
        };
        let cpu0 = process.cpuUsage();
        let elu0 = performance.eventLoopUtilization();
        const result = await runWorker<LoadResult>(worker, job, (msg) => {
          if (msg?.type === 'measuring') {
            cpu0 = process.cpuUsage();
            elu0 = performance.eventLoopUtilization();
          }
        });
        const cpu = process.cpuUsage(cpu0);
        const elu = performance.eventLoopUtilization(elu0);
        const row: QueryRow = {
          target: t.target,
          query: t.query,
          concurrency,
          ...summarize(result.latencies),
          requests: result.requests,
          errors: result.errors,
          errorSamples: result.errorSamples,
          rps: result.rps,
          serverCpu: (cpu.user + cpu.system) / 1000 / options.durationMs,
          serverElu: elu.utilization,
          clientCpu: result.clientCpuMs / options.durationMs,
        };
        rows.push(row);
        log(
          `  c=${String(concurrency).padStart(3)} ${t.target.padEnd(25)} ${t.query.padEnd(66)} ${row.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(row.p50)} ms  p99 ${ms(row.p99)} ms  errors ${row.errors}`,
        );
        if (row.errorSamples.length) log(`    error samples: ${row.errorSamples.join(' | ')}`);
      }
    }
    return {
      options,
      rows,
      mode: 'load generator in a forked Node process (node:http keep-alive agent); platform (gateway + 4 subgraphs) in the parent process',
    };
  } finally {
    worker.kill();
    await platform.stop();
  }
}

export function formatQueryTable(result: QueryBenchResult): string {
  const lines = [
    '| concurrency | target | selection | req/s | p50 ms | p90 ms | p99 ms | max ms | errors / requests | server CPU | server ELU | client CPU |',
    '|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of result.rows) {
    lines.push(
      `| ${r.concurrency} | ${r.target} | \`${r.query}\` | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.errors} / ${r.requests} | ${(r.serverCpu * 100).toFixed(0)}% | ${(r.serverElu * 100).toFixed(0)}% | ${(r.clientCpu * 100).toFixed(0)}% |`,
    );
  }
  return lines.join('\n');
}

if (require.main === module) {
  runQueryLatency()
    .then((result) => {
      console.log(formatQueryTable(result));
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
