/**
 * Check-in scans (`npm run -w @eventgraph/bench bench:checkin`): the whole platform on the PostgreSQL
 * server (in this process, in-memory bus unless BENCH_BUS=nats), one event with BENCH_CHECKIN_GATES
 * (default 4) gates and one ACTIVE series, and BENCH_CHECKIN_WRISTBANDS (default 1,000,000) wristbands
 * assigned to it. The wristbands are loaded with one INSERT … SELECT generate_series into the access
 * schema: loading is not what this measures (the import benchmark does that).
 *
 * Then `checkIn` mutations through the gateway as a provisioned scanner device (`egd_` credential,
 * allowed at every gate), closed-loop at BENCH_CHECKIN_CONCURRENCY (default "16,64") from the forked
 * load generator; each request scans a different random wristband at a gate in turn, so nearly every
 * scan is an allowed entry that locks the wristband, moves the series' and category's inside counts
 * and the gate counter, logs the scan and announces it on the bus. Every answer is checked (HTTP 200,
 * `checkIn` in the body, no `errors`); allowed and denied answers are both counted as scans. After each run it
 * waits until the bus consumers have handled every event (access's outbox is empty) and counts the CPU of that
 * wait too: work the consumers left behind is in the figures, not outside them.
 *
 * Prints a Markdown table for bench/RESULTS.md. Environment: BENCH_WARMUP_MS, BENCH_DURATION_MS;
 * BENCH_PROFILE=1 also prints where the platform's CPU went during each measured run (this process);
 * BENCH_GATEWAY_PROCESS=1 runs the gateway in a process of its own, in front of the subgraphs in this one.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { PrismaLike } from '@eventgraph/runtime';
import { BENCH_CALLER_POLICIES } from './auth-overhead';
import {
  ADMIN_URL,
  forkWorker,
  machineInfo,
  ms,
  processCpuMs,
  postgresVersion,
  runWorker,
  seedOrganization,
  sleep,
  startBenchPlatform,
  summarize,
} from './common';
import { cpuProfiler } from './cpu-profile';
import { benchApplicationName, cpuSince, postgresCpuSampler } from './postgres-cpu';
import type { GatewayJob } from './gateway-worker';
import type { LoadJob, LoadResult } from './load-worker';
import { composePlatform } from '@eventgraph/platform/src/compose';

const WRISTBANDS = Number(process.env.BENCH_CHECKIN_WRISTBANDS ?? 1_000_000);
const GATES = Number(process.env.BENCH_CHECKIN_GATES ?? 4);
const CONCURRENCIES = (process.env.BENCH_CHECKIN_CONCURRENCY ?? '16,64').split(',').map(Number);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 3_000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 20_000);
/** distinct request bodies (wristband × gate) the load generator cycles through */
const BODIES = 120_000;
const HOUR = 3_600_000;
const PROFILE = process.env.BENCH_PROFILE === '1';
/** the gateway in a process of its own, the subgraphs in this one (as production runs them) */
const GATEWAY_PROCESS = process.env.BENCH_GATEWAY_PROCESS === '1';

const CHECK_IN = `mutation Scan($input: CheckInInput!) { checkIn(input: $input) { allowed reason } }`;

async function main() {
  const applicationName = benchApplicationName();
  const platform = await startBenchPlatform(process.env.BENCH_BUS === 'nats' ? 'nats' : 'memory', {
    callerPolicies: BENCH_CALLER_POLICIES,
  });
  const worker = forkWorker('load-worker.ts');
  const postgres = postgresCpuSampler(ADMIN_URL, applicationName);
  const gatewayWorker = GATEWAY_PROCESS ? forkWorker('gateway-worker.ts') : undefined;
  try {
    const gatewayUrl = gatewayWorker
      ? (
          await runWorker<{ url: string }>(gatewayWorker, {
            supergraphSdl: supergraphSdl(),
            subgraphUrls: Object.fromEntries(Object.entries(platform.subgraphs).map(([name, s]) => [name, s.url])),
            principalSecret: platform.settings.EVENTGRAPH_PRINCIPAL_SECRET,
            jwtSecret: platform.settings.EVENTGRAPH_JWT_SECRET,
            devToken: platform.devToken,
            callerPolicies: BENCH_CALLER_POLICIES,
          } satisfies GatewayJob)
        ).url
      : platform.gateway.url;
    const { org, venue } = await seedOrganization(platform, `checkin${Date.now().toString(36)}`);
    const startsAt = new Date(Date.now() - HOUR).toISOString();
    const endsAt = new Date(Date.now() + 6 * HOUR).toISOString();
    const { createEvent: event } = await platform.data<{ createEvent: { id: string } }>(
      `mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`,
      { input: { venueId: venue.id, title: 'Bench Festival', slug: `bench-festival-${Date.now()}`, startsAt, endsAt } },
    );
    const gateIds: string[] = [];
    for (let g = 0; g < GATES; g++) {
      const { createGate } = await platform.data<{ createGate: { id: string } }>(
        `mutation($input: CreateGateInput!) { createGate(input: $input) { id } }`,
        { input: { eventId: event.id, name: `Gate ${g + 1}`, direction: 'BOTH' } },
      );
      gateIds.push(createGate.id);
    }
    const { createEventSeries: series } = await platform.data<{ createEventSeries: { id: string } }>(
      `mutation($input: CreateEventSeriesInput!) { createEventSeries(input: $input) { id } }`,
      {
        input: {
          eventId: event.id,
          name: 'Day 1',
          startsAt,
          endsAt,
          capacity: WRISTBANDS,
          categoryLimits: [{ category: 'VIP', capacity: WRISTBANDS }],
          gateIds,
        },
      },
    );
    for (const to of ['SCHEDULED', 'ACTIVE'])
      await platform.data(`mutation($id: ID!, $to: SeriesStatus!) { transitionEventSeries(id: $id, to: $to) { status } }`, {
        id: series.id,
        to,
      });

    const loadStarted = performance.now();
    const db = platform.subgraphs.access!.db as PrismaLike;
    await db.$executeRawUnsafe(
      `INSERT INTO "Wristband" ("id", "organizationId", "eventId", "nfcId", "category", "status", "createdAt")
       SELECT gen_random_uuid(), $1::uuid, $2::uuid, 'BENCH-' || lpad(i::text, 7, '0'), CASE WHEN i % 20 = 0 THEN 'VIP' ELSE 'GA' END, 'ACTIVE', now()
       FROM generate_series(1, $3::int) AS i`,
      org.id,
      event.id,
      WRISTBANDS,
    );
    await db.$executeRawUnsafe(
      `INSERT INTO "WristbandAssignment" ("wristbandId", "seriesId", "createdAt") SELECT "id", $2::uuid, now() FROM "Wristband" WHERE "eventId" = $1::uuid`,
      event.id,
      series.id,
    );
    // as the tables would be hours after an import, when the gates open: vacuumed (hint bits and visibility map set,
    // so the scans do not do it) and checkpointed (the load's dirty pages written before the measurement, not in it)
    await db.$executeRawUnsafe(`VACUUM (ANALYZE) "Wristband", "WristbandAssignment"`);
    await db.$executeRawUnsafe(`ANALYZE`);
    await db.$executeRawUnsafe(`CHECKPOINT`);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    console.log(`loaded ${WRISTBANDS} wristbands and assignments in ${loadSeconds.toFixed(1)} s`);

    const { registerDevice } = await platform.data<{ registerDevice: { provisioningToken: string } }>(
      `mutation($o: ID!, $g: [ID!]!) { registerDevice(organizationId: $o, name: "Bench scanner", gateIds: $g) { provisioningToken } }`,
      { o: org.id, g: gateIds },
    );
    const provisioned = await fetch(platform.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation($t: String!) { provisionDevice(provisioningToken: $t) { credential } }`,
        variables: { t: registerDevice.provisioningToken },
      }),
    });
    const credential = ((await provisioned.json()) as { data: { provisionDevice: { credential: string } } }).data.provisionDevice
      .credential;

    // distinct wristbands in random order: scans spread over the whole table and index, never the same band twice in a run
    const picked = new Set<number>();
    while (picked.size < Math.min(BODIES, WRISTBANDS)) picked.add(1 + Math.floor(Math.random() * WRISTBANDS));
    const bodies = [...picked].map((n, i) =>
      JSON.stringify({
        query: CHECK_IN,
        variables: {
          input: {
            seriesId: series.id,
            gateId: gateIds[i % GATES],
            nfcId: `BENCH-${String(n).padStart(7, '0')}`,
            direction: 'ENTRY',
          },
        },
      }),
    );

    const rows: string[] = [];
    const cpuPerScan: number[] = [];
    let offset = 0;
    for (const concurrency of CONCURRENCIES) {
      const job: LoadJob = {
        url: gatewayUrl,
        headers: { authorization: `Bearer ${credential}` },
        // each run starts where the last stopped: no wristband is scanned twice
        bodies: [...bodies.slice(offset), ...bodies.slice(0, offset)],
        concurrency,
        warmupMs: WARMUP_MS,
        durationMs: DURATION_MS,
        expect: '"checkIn"',
      };
      const statementsBefore = statementCounts(platform);
      const profiler = PROFILE ? await cpuProfiler() : undefined;
      const gatewayCpuMs = () => (gatewayWorker ? (processCpuMs(gatewayWorker.pid!) ?? NaN) : 0);
      const platformCpuMs = () => {
        const own = process.cpuUsage();
        return (own.user + own.system) / 1000 + gatewayCpuMs();
      };
      let gatewayBefore = gatewayCpuMs();
      let cpu = { platform: platformCpuMs(), postgres: postgres.sample() };
      const result = await runWorker<LoadResult>(worker, job, (msg) => {
        if (msg?.type !== 'measuring') return;
        profiler?.start();
        cpu = { platform: platformCpuMs(), postgres: postgres.sample() };
        gatewayBefore = gatewayCpuMs();
      });
      // the consumers (webhook fan-out, occupancy announcements) may trail the scans: wait until they have handled
      // every event, and count their CPU too, so no work is left outside the measurement
      const backlog = await outboxRows(db);
      const drainStarted = performance.now();
      while ((await outboxRows(db)) > 0 && performance.now() - drainStarted < 120_000) await sleep(50);
      const drainSeconds = (performance.now() - drainStarted) / 1000;
      console.log(
        `  at the end: ${backlog} events not yet handled by every consumer, all handled ${drainSeconds.toFixed(1)} s later`,
      );
      const platformMsPerScan = (platformCpuMs() - cpu.platform) / result.requests;
      if (gatewayWorker)
        console.log(`  of it the gateway process: ${ms((gatewayCpuMs() - gatewayBefore) / result.requests, 2)} ms per scan`);
      const pg = cpuSince(await cpu.postgres, await postgres.sample());
      // the server's own processes (WAL writer, autovacuum) work for the scans; other users' backends do not
      const postgresMsPerScan = (pg.ours + pg.server) / result.requests;
      console.log(
        `  PostgreSQL CPU ms per scan: backends ${ms(pg.ours / result.requests, 2)}, server processes ${ms(pg.server / result.requests, 2)}; other backends meanwhile ${ms(pg.others / result.requests, 2)} (not counted)`,
      );
      if (profiler) console.log(await profiler.stop());
      const scans = result.requests + Math.ceil((result.rps * WARMUP_MS) / 1000);
      console.log(`  SQL statements per scan: ${statementsPer(scans, statementsBefore, statementCounts(platform))}`);
      offset = (offset + result.requests + Math.ceil((result.rps * WARMUP_MS) / 1000)) % bodies.length;
      const s = summarize(result.latencies);
      const perHour = result.rps * 3600;
      rows.push(
        `| ${concurrency} | ${result.rps.toFixed(0)} | ${(perHour / 1e6).toFixed(2)} M | ${(perHour / 100_000).toFixed(0)}× | ${ms(s.p50)} | ${ms(s.p99)} | ${result.errors} | ${ms(platformMsPerScan, 2)} | ${ms(postgresMsPerScan, 2)} |`,
      );
      console.log(rows.at(-1));
      cpuPerScan.push(platformMsPerScan + postgresMsPerScan);
      if (result.errorSamples.length) console.log('  errors:', result.errorSamples);
    }
    const metrics = await platform.data<{ seriesMetrics: { insideNow: number; entries: number } }>(
      `query($s: ID!) { seriesMetrics(seriesId: $s) { insideNow entries } }`,
      { s: series.id },
    );
    const m = machineInfo();
    console.log(`
#### Check-in scans, ${WRISTBANDS.toLocaleString('en')} wristbands (${new Date().toISOString().slice(0, 10)})

${m.cpu}, ${m.cores} cores, Node ${m.node}, PostgreSQL ${await postgresVersion()}, ${platform.busKind} bus, ${GATEWAY_PROCESS ? 'gateway in a process of its own' : 'gateway and subgraphs in one process'}, load ${loadavg()[0]!.toFixed(2)}; ${GATES} gates, one series; ${DURATION_MS / 1000} s per row after ${WARMUP_MS / 1000} s warm-up.

| concurrency | scans/s | per hour | × 100,000/h | p50 ms | p99 ms | errors | platform CPU ms / scan | PostgreSQL CPU ms / scan |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

CPU per scan (platform and PostgreSQL together) ${cpuPerScan.map((c) => ms(c, 2)).join(' / ')} ms: at that cost all ${m.cores} cores could do at most ≈ ${Math.round((m.cores * 1000) / Math.min(...cpuPerScan))} scans/s.

After the runs the series' maintained metrics say ${metrics.seriesMetrics.insideNow} inside from ${metrics.seriesMetrics.entries} entries.
`);
  } finally {
    worker.kill();
    gatewayWorker?.kill();
    await postgres.close();
    await platform.stop();
  }
}

function supergraphSdl(): string {
  const composition = composePlatform();
  if (!composition.ok) throw new Error(`the subgraphs do not compose: ${composition.errors.join('; ')}`);
  return composition.supergraphSdl;
}

/** rows in access's outbox: events not yet published, or published and not yet handled by every consumer group */
async function outboxRows(db: PrismaLike): Promise<number> {
  const [row] = await db.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS "n" FROM "OutboxEvent"`);
  return row?.n ?? 0;
}

const statementCounts = (platform: { subgraphs: Record<string, { queries: { statements: number } }> }) =>
  Object.fromEntries(Object.entries(platform.subgraphs).map(([name, s]) => [name, s.queries.statements]));

/** roughly: the warm-up's scans are estimated from the measured rate */
const statementsPer = (scans: number, before: Record<string, number>, after: Record<string, number>) =>
  Object.keys(after)
    .map((name) => `${name} ${((after[name]! - before[name]!) / scans).toFixed(1)}`)
    .join(', ');

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
