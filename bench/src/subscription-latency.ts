/**
 * Subscription fan-out latency: the platform runs in this process on the PostgreSQL server;
 * subscription-worker.ts, in a forked process, holds 1,000 graphql-ws clients subscribed through the
 * gateway to checkInRecorded(seriesId) with a selection crossing access and events, sends spaced
 * check-in mutations and measures receive time − mutation send time for every delivery.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  forkWorker,
  ms,
  runWorker,
  seedOrganization,
  sleep,
  startBenchPlatform,
  summarize,
  type BenchPlatform,
  type LatencySummary,
} from './common';
import type { SubscriptionJob, SubscriptionWorkerResult } from './subscription-worker';

export interface SubscriptionBenchOptions {
  bus: 'memory' | 'nats';
  clients: number;
  checkIns: number;
  spacingMs: number;
  connectBatch: number;
  drainMs: number;
}

export const DEFAULT_SUBSCRIPTION_OPTIONS: Omit<SubscriptionBenchOptions, 'bus'> = {
  clients: Number(process.env.BENCH_CLIENTS ?? 1000),
  checkIns: Number(process.env.BENCH_CHECKINS ?? 50),
  spacingMs: Number(process.env.BENCH_SPACING_MS ?? 200),
  connectBatch: 100,
  drainMs: 15_000,
};

export interface SubscriptionBenchResult {
  options: SubscriptionBenchOptions;
  connected: number;
  connectMs: number;
  expected: number;
  delivered: number;
  errors: number;
  errorSamples: string[];
  delivery: LatencySummary;
  /** per check-in: mutation round trip, first and last delivery among the clients */
  mutation: LatencySummary;
  firstDelivery: LatencySummary;
  lastDelivery: LatencySummary;
  allowed: number;
  upstreamsWhileSubscribed: number;
  upstreamsAfterClientsLeft: number;
  serverCpu: number;
  serverElu: number;
  clientCpu: number;
  workerMs: number;
  /** the platform process's memory growth per connected, subscribed, idle client (after full collections) */
  perIdleSubscriber: { heapBytes: number; rssBytes: number };
  /** subgraph requests the gateway made per measured check-in, by subgraph (the mutation's own included) */
  fetchesPerCheckIn: Record<string, number>;
}

// a full collection before each memory reading, so the growth is what the subscribers keep alive
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function settledMemory() {
  collectGarbage();
  collectGarbage();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

/** The gateway's subgraph request counts by subgraph, from its /metrics (this process is a private address). */
async function subgraphFetchCounts(gatewayUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(new URL('/metrics', gatewayUrl))).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^eventgraph_subgraph_fetch_duration_seconds_count\{[^}]*subgraph="([^"]+)"[^}]*\} (\d+)/gm))
    counts[match[1]!] = Number(match[2]);
  return counts;
}

async function seedSeries(platform: BenchPlatform, checkIns: number, capacity: number) {
  const tag = Math.random().toString(36).slice(2, 8);
  const { venue } = await seedOrganization(platform, tag);
  const { createEvent: event } = await platform.data<{ createEvent: { id: string } }>(
    `mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`,
    {
      input: {
        venueId: venue.id,
        title: 'Bench Open Air',
        slug: `bench-open-air-${tag}`,
        startsAt: '2027-07-01T14:00:00Z',
        endsAt: '2027-07-03T23:00:00Z',
      },
    },
  );
  const { createGate: gate } = await platform.data<{ createGate: { id: string } }>(
    `mutation($input: CreateGateInput!) { createGate(input: $input) { id } }`,
    { input: { eventId: event.id, name: 'Main', direction: 'BOTH' } },
  );
  const { createEventSeries: series } = await platform.data<{ createEventSeries: { id: string } }>(
    `mutation($input: CreateEventSeriesInput!) { createEventSeries(input: $input) { id } }`,
    {
      input: {
        eventId: event.id,
        name: 'Day 1',
        // running now, so its check-in window is open
        startsAt: new Date(Date.now() - 3_600_000).toISOString(),
        endsAt: new Date(Date.now() + 86_400_000).toISOString(),
        capacity,
        gateIds: [gate.id],
      },
    },
  );
  for (const to of ['SCHEDULED', 'ACTIVE']) {
    await platform.data(`mutation($id: ID!, $to: SeriesStatus!) { transitionEventSeries(id: $id, to: $to) { status } }`, {
      id: series.id,
      to,
    });
  }
  const nfcIds: string[] = [];
  for (let i = 0; i < checkIns; i++) {
    const nfcId = `04:BE:${tag}:${i}`;
    await platform.data(`mutation($input: CreateWristbandInput!) { createWristband(input: $input) { id } }`, {
      input: { eventId: event.id, nfcId, category: 'ga', seriesIds: [series.id] },
    });
    nfcIds.push(nfcId);
  }
  return { series, gate, nfcIds };
}

export async function runSubscriptionLatency(
  options: SubscriptionBenchOptions,
  log = console.log,
): Promise<SubscriptionBenchResult> {
  log(`subscription-latency [${options.bus} bus]: starting the platform (PostgreSQL)…`);
  const platform = await startBenchPlatform(options.bus);
  const worker = forkWorker('subscription-worker.ts');
  try {
    const { series, gate, nfcIds } = await seedSeries(platform, options.checkIns, options.checkIns + 100);
    log(`subscription-latency [${options.bus} bus]: seeded a series with a gate and ${nfcIds.length} wristbands`);
    const job: SubscriptionJob = {
      httpUrl: platform.gateway.url,
      wsUrl: platform.gateway.wsUrl,
      token: platform.devToken,
      seriesId: series.id,
      gateId: gate.id,
      nfcIds,
      clients: options.clients,
      connectBatch: options.connectBatch,
      spacingMs: options.spacingMs,
      drainMs: options.drainMs,
    };
    const idleBefore = settledMemory();
    let idleSubscribed = idleBefore;
    let fetchesBefore: Record<string, number> = {};
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const started = performance.now();
    const result = await runWorker<SubscriptionWorkerResult>(worker, { type: 'job', job }, (msg) => {
      if (msg?.type === 'log') log(`  ${msg.text}`);
      // asked once every client is subscribed and has received the probe, before the measured check-ins
      if (msg?.type === 'upstreams?')
        void subgraphFetchCounts(platform.gateway.url).then((counts) => {
          idleSubscribed = settledMemory();
          fetchesBefore = counts;
          worker.send({ type: 'upstreams', count: platform.gateway.engine.upstreamCount() });
        });
    });
    const fetchesAfter = await subgraphFetchCounts(platform.gateway.url);
    const workerMs = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    // the clients are gone: the shared upstream must close with the last of them
    const deadline = Date.now() + 5_000;
    while (platform.gateway.engine.upstreamCount() > 0 && Date.now() < deadline) await sleep(50);

    const bench: SubscriptionBenchResult = {
      options,
      connected: result.connected,
      connectMs: result.connectMs,
      expected: result.expected,
      delivered: result.delivered,
      errors: result.errors,
      errorSamples: result.errorSamples,
      delivery: summarize(result.latencies),
      mutation: summarize(result.perCheckIn.map((c) => c.mutationMs)),
      firstDelivery: summarize(result.perCheckIn.filter((c) => c.delivered > 0).map((c) => c.firstMs)),
      lastDelivery: summarize(result.perCheckIn.filter((c) => c.delivered > 0).map((c) => c.lastMs)),
      allowed: result.perCheckIn.filter((c) => c.allowed).length,
      upstreamsWhileSubscribed: result.upstreamsWhileSubscribed,
      upstreamsAfterClientsLeft: platform.gateway.engine.upstreamCount(),
      serverCpu: (cpu.user + cpu.system) / 1000 / workerMs,
      serverElu: elu.utilization,
      clientCpu: result.clientCpuMs / workerMs,
      workerMs,
      perIdleSubscriber: {
        heapBytes: (idleSubscribed.heapUsed - idleBefore.heapUsed) / Math.max(1, result.connected),
        rssBytes: (idleSubscribed.rss - idleBefore.rss) / Math.max(1, result.connected),
      },
      fetchesPerCheckIn: Object.fromEntries(
        Object.entries(fetchesAfter).map(([subgraph, count]) => [
          subgraph,
          (count - (fetchesBefore[subgraph] ?? 0)) / Math.max(1, options.checkIns),
        ]),
      ),
    };
    log(
      `  delivered ${bench.delivered}/${bench.expected}, p50 ${ms(bench.delivery.p50)} ms, p99 ${ms(bench.delivery.p99)} ms, max ${ms(bench.delivery.max)} ms, ` +
        `upstreams ${bench.upstreamsWhileSubscribed} (after: ${bench.upstreamsAfterClientsLeft}), errors ${bench.errors}, ` +
        `per idle subscriber ${Math.round(bench.perIdleSubscriber.heapBytes / 1024)} KiB heap, ` +
        `subgraph requests per check-in ${JSON.stringify(bench.fetchesPerCheckIn)}`,
    );
    if (bench.errorSamples.length) log(`  error samples: ${bench.errorSamples.join(' | ')}`);
    return bench;
  } finally {
    worker.kill();
    await platform.stop();
  }
}

export function formatSubscriptionTable(results: SubscriptionBenchResult[]): string {
  const lines = [
    '| bus | clients | check-ins (spacing) | delivered / expected | p50 ms | p90 ms | p99 ms | max ms | mutation RTT p50 ms | first delivery p50 ms | last delivery p50 / max ms | upstream subscriptions | after clients left | errors | server CPU |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.options.bus} | ${r.connected} / ${r.options.clients} | ${r.options.checkIns} (${r.options.spacingMs} ms) | ${r.delivered} / ${r.expected} | ${ms(r.delivery.p50)} | ${ms(r.delivery.p90)} | ${ms(r.delivery.p99)} | ${ms(r.delivery.max)} | ${ms(r.mutation.p50)} | ${ms(r.firstDelivery.p50)} | ${ms(r.lastDelivery.p50)} / ${ms(r.lastDelivery.max)} | ${r.upstreamsWhileSubscribed} | ${r.upstreamsAfterClientsLeft} | ${r.errors} | ${(r.serverCpu * 100).toFixed(0)}% |`,
    );
  }
  return lines.join('\n');
}

if (require.main === module) {
  const bus = process.env.EVENTGRAPH_BUS === 'nats' ? 'nats' : 'memory';
  runSubscriptionLatency({ ...DEFAULT_SUBSCRIPTION_OPTIONS, bus })
    .then((result) => {
      console.log(formatSubscriptionTable([result]));
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
