/**
 * The database side of a check-in alone (`npm run -w @eventgraph/bench bench:checkin-sql`): access's
 * `recordScan` called directly, without the gateway, HTTP or GraphQL, on the PostgreSQL server with
 * BENCH_CHECKIN_WRISTBANDS (default 1,000,000) wristbands, and the outbox relay publishing to an
 * in-memory bus with one durable group (as the users subgraph's webhook fan-out consumes
 * `checkin.recorded`). Closed loop at BENCH_CHECKIN_CONCURRENCY (default 16) for BENCH_DURATION_MS.
 *
 * What it isolates: the PostgreSQL CPU of a scan (this process's backends, and the server's own
 * processes) and the Node CPU of access's part of it, with the round trips counted, so two versions of
 * the scan can be compared back to back on a machine too noisy for the whole platform's numbers.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as runtime from '@eventgraph/runtime';
import { dropSchemas, executorOf, literal, MemoryTransport, openDatabase, OutboxRelay, type BusEvent } from '@eventgraph/runtime';
import { recordScan, type Scan } from '@eventgraph/subgraph-access/src/check-in/scan';
import type { AccessContext } from '@eventgraph/subgraph-access/src/context';
import { PrismaClient } from '@eventgraph/subgraph-access/src/generated/prisma/client';
import { ADMIN_URL, benchDatabaseUrl, ensureBenchDatabase, machineInfo, ms, summarize } from './common';
import { benchApplicationName, cpuSince, postgresCpuSampler } from './postgres-cpu';

const WRISTBANDS = Number(process.env.BENCH_CHECKIN_WRISTBANDS ?? 1_000_000);
const CONCURRENCY = Number(process.env.BENCH_CHECKIN_CONCURRENCY ?? 16);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 3_000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 20_000);
const HOUR = 3_600_000;

async function main() {
  const applicationName = benchApplicationName();
  await ensureBenchDatabase();
  const schema = `bs${randomUUID().slice(0, 6)}_access`;
  const url = benchDatabaseUrl();
  const database = await openDatabase({
    name: 'access',
    prismaDir: join(require.resolve('@eventgraph/subgraph-access/package.json'), '..', 'prisma'),
    location: { kind: 'server', url, schema },
    createClient: (adapter) => new PrismaClient({ adapter }),
    poolSize: CONCURRENCY,
  });
  const bus = new MemoryTransport();
  const relaying = process.env.BENCH_CHECKIN_RELAY !== '0';
  bus.consume('webhooks', 'checkin.*', () => undefined);
  // BENCH_CHECKIN_RELAY=0: the scans alone, their outbox rows left unpublished
  const relay = new OutboxRelay({
    db: executorOf(database.sql),
    transport: bus,
    name: 'access',
    startAfter: relaying ? undefined : new Promise(() => undefined),
  }).start();

  const postgres = postgresCpuSampler(ADMIN_URL, applicationName);
  try {
    const { seriesId, gates } = await seed(database.sql);
    const device = { kind: 'device' as const, id: randomUUID(), memberships: [], scopes: ['scan'], gateIds: gates };
    // what runSubgraph gives a resolver, as far as a scan uses it (both the plain-SQL transaction and the one statement)
    const ctx = {
      principal: { ...device, memberships: [{ organizationId: ORG, role: 'MEMBER' as const }] },
      sql: database.sql,
      prepareEvent: (topic: string) => runtime.prepareEvent('access', topic),
      announced: (events: BusEvent[]) => published(events.length),
      transactSql: async <T>(fn: (tx: runtime.Sql, announce: runtime.Announce) => Promise<T>) => {
        let n = 0;
        const result = await database.sql.transaction((tx) =>
          fn(tx, async (topic, payload) => {
            tx.atCommit(runtime.outboxInsert('access', topic, payload, literal).statement);
            n++;
          }),
        );
        await published(n);
        return result;
      },
    } as unknown as AccessContext;
    // as runSubgraph does after a commit: publish before answering, bounded
    const published = (n: number) =>
      n && relaying
        ? Promise.race([relay.flush().catch(() => 0), new Promise((resolve) => setTimeout(resolve, 250))]).then(() => undefined)
        : Promise.resolve();

    const order = Array.from({ length: WRISTBANDS }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    let next = 0;
    const scanOf = (): Scan => ({
      seriesId,
      gateId: gates[next % gates.length]!,
      nfcId: `BENCH-${String(order[next++ % order.length]).padStart(7, '0')}`,
      nfcIdValid: true,
      direction: 'ENTRY',
      scannedAt: new Date(),
      offline: false,
    });
    let measuring = false;
    let stop = false;
    const latencies: number[] = [];
    const loop = async () => {
      while (!stop) {
        const started = performance.now();
        await recordScan(ctx, scanOf());
        if (measuring) latencies.push(performance.now() - started);
      }
    };
    const loops = Array.from({ length: CONCURRENCY }, loop);
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
    const before = {
      node: process.cpuUsage(),
      pg: await postgres.sample(),
      statements: database.metrics.statements,
      at: performance.now(),
    };
    measuring = true;
    await new Promise((resolve) => setTimeout(resolve, DURATION_MS));
    measuring = false;
    const scans = latencies.length;
    const seconds = (performance.now() - before.at) / 1000;
    const node = process.cpuUsage(before.node);
    const pg = cpuSince(before.pg, await postgres.sample());
    const statements = (database.metrics.statements - before.statements) / scans;
    stop = true;
    await Promise.all(loops);
    const s = summarize(latencies);
    const m = machineInfo();
    console.log(`${m.cpu}, ${m.cores} cores, Node ${m.node}, ${WRISTBANDS.toLocaleString('en')} wristbands, c${CONCURRENCY}, ${DURATION_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}
| scans/s | p50 ms | p99 ms | statements / scan | PostgreSQL backends ms / scan | server processes ms / scan | access (Node) ms / scan | others' backends meanwhile ms / scan |
| ${(scans / seconds).toFixed(0)} | ${ms(s.p50)} | ${ms(s.p99)} | ${statements.toFixed(2)} | ${ms(pg.ours / scans, 2)} | ${ms(pg.server / scans, 2)} | ${ms((node.user + node.system) / 1000 / scans, 2)} | ${ms(pg.others / scans, 2)} |`);
  } finally {
    await relay.stop();
    await bus.close();
    await postgres.close();
    await database.close();
    await dropSchemas(url, schema);
  }
}

const ORG = randomUUID();

/** One event, four gates, an active series with a VIP limit, the wristbands assigned to it (every 20th VIP). */
async function seed(sql: runtime.Sql) {
  const [event, seriesId] = [randomUUID(), randomUUID()];
  await sql.execute(
    `INSERT INTO "EventSeries" ("id", "organizationId", "eventId", "name", "startsAt", "endsAt", "checkInOpensAt", "checkInClosesAt", "capacity", "status")
     VALUES ($1::uuid, $2::uuid, $3::uuid, 'Day 1', $4::timestamptz, $5::timestamptz, $4::timestamptz, $5::timestamptz, $6, 'ACTIVE')`,
    [seriesId, ORG, event, new Date(Date.now() - HOUR), new Date(Date.now() + 6 * HOUR), WRISTBANDS],
  );
  await sql.execute(`INSERT INTO "SeriesCategoryLimit" ("seriesId", "category", "capacity") VALUES ($1::uuid, 'VIP', $2)`, [
    seriesId,
    WRISTBANDS,
  ]);
  const gates = Array.from({ length: 4 }, () => randomUUID());
  for (const [i, gate] of gates.entries()) {
    await sql.execute(
      `INSERT INTO "Gate" ("id", "organizationId", "eventId", "name", "direction") VALUES ($1::uuid, $2::uuid, $3::uuid, $4, 'BOTH')`,
      [gate, ORG, event, `Gate ${i + 1}`],
    );
    await sql.execute(`INSERT INTO "SeriesGate" ("seriesId", "gateId") VALUES ($1::uuid, $2::uuid)`, [seriesId, gate]);
  }
  await sql.execute(
    `INSERT INTO "Wristband" ("id", "organizationId", "eventId", "nfcId", "category", "status", "createdAt")
     SELECT gen_random_uuid(), $1::uuid, $2::uuid, 'BENCH-' || lpad(i::text, 7, '0'), CASE WHEN i % 20 = 0 THEN 'VIP' ELSE 'GA' END, 'ACTIVE', now()
     FROM generate_series(1, $3::int) AS i`,
    [ORG, event, WRISTBANDS],
  );
  await sql.execute(
    `INSERT INTO "WristbandAssignment" ("wristbandId", "seriesId", "createdAt") SELECT "id", $2::uuid, now() FROM "Wristband" WHERE "eventId" = $1::uuid`,
    [event, seriesId],
  );
  await sql.execute('ANALYZE');
  return { seriesId, gates };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
