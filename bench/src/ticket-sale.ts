/**
 * A sale opening (`npm run -w @eventgraph/bench bench:tickets`): the whole platform on the PostgreSQL server in
 * this process (in-memory bus unless BENCH_BUS=nats), one ON_SALE event with one series and, per row, one fresh
 * hot ticket type of BENCH_SALE_TICKETS (default 1,000) tickets, at most 4 per order, and BENCH_SALE_BUYERS
 * (default 10,000) buyers of their own that have never called the gateway before.
 *
 * The buyers are real users: rows in the users subgraph's "User" table, inserted with one INSERT … SELECT
 * generate_series (as createUser makes them for an organisation: no password), each signed in with an access
 * token of the platform's secret, as a sign-in issues. The gateway therefore verifies each buyer's JWT and looks
 * the user up in the users subgraph on the buyer's first request, and charges each user's own bucket at the
 * gateway's default rate limits (120 requests, 5/s per user): nothing is raised for the benchmark.
 *
 * Then every buyer races, closed loop at BENCH_SALE_CONCURRENCY (default "16,64") from the forked buyer process
 * (ticket-sale-worker.ts): `createHold` of one ticket and, when it is granted, `confirmHold` with a client key,
 * through the gateway over HTTP with the SDK's own documents, until every buyer has been answered. Before the
 * rows, an unrecorded warm-up sale (100 tickets, 500 buyers) at the first concurrency. After each row the
 * database must prove the sale: the type sold exactly its quantity and holds none, its tickets and the bookings'
 * quantities both add up to it, every booking is a different buyer's, and no type anywhere is over its quantity.
 *
 * Prints a Markdown block and writes it into bench/RESULTS.md between `<!-- ticket-sale -->` markers.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { print } from 'graphql';
import { Pool } from 'pg';
import { issueAccessToken } from '@eventgraph/runtime';
import { ConfirmHoldDocument, CreateHoldDocument } from '@eventgraph/sdk';
import {
  ADMIN_URL,
  createEvent,
  forkWorker,
  machineInfo,
  ms,
  postgresVersion,
  runWorker,
  seedOrganization,
  startBenchPlatform,
  summarize,
  writeResultsSection,
  type BenchPlatform,
} from './common';
import { cpuProfiler } from './cpu-profile';
import { benchApplicationName, cpuSince, postgresCpuSampler } from './postgres-cpu';
import type { SaleJob, SaleResult } from './ticket-sale-worker';

const TICKETS = Number(process.env.BENCH_SALE_TICKETS ?? 1_000);
const BUYERS = Number(process.env.BENCH_SALE_BUYERS ?? 10_000);
const CONCURRENCIES = (process.env.BENCH_SALE_CONCURRENCY ?? '16,64').split(',').map(Number);
const MAX_PER_ORDER = 4;
/** BENCH_PROFILE=1: also prints where this process's CPU went during each row (the profiler slows it: do not record such a run) */
const PROFILE = process.env.BENCH_PROFILE === '1';
const WARMUP = { tickets: 100, buyers: 500 };

const HOLD = print(CreateHoldDocument);
const CONFIRM = print(ConfirmHoldDocument);

type Sql = BenchPlatform['subgraphs'][string]['sql'];

async function main() {
  const began = Date.now();
  const loadBefore = loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
  const applicationName = benchApplicationName();
  // the gateway's default per-caller limits: every buyer is a user of their own, with a bucket of their own
  const platform = await startBenchPlatform(process.env.BENCH_BUS === 'nats' ? 'nats' : 'memory');
  const worker = forkWorker('ticket-sale-worker.ts');
  const postgres = postgresCpuSampler(ADMIN_URL, applicationName);
  try {
    const access = platform.subgraphs.access!;
    const users = platform.subgraphs.users!;
    const tag = `sale${Date.now().toString(36)}`;
    const { venue } = await seedOrganization(platform, tag);
    const eventId = await createEvent(platform, venue.id, 'Bench Sale Opening', `bench-sale-${tag}`);
    await platform.data(`mutation($input: CreateEventSeriesInput!) { createEventSeries(input: $input) { id } }`, {
      input: {
        eventId,
        name: 'Main night',
        startsAt: '2027-07-01T14:00:00Z',
        endsAt: '2027-07-03T23:00:00Z',
        capacity: 100_000,
      },
    });
    for (const to of ['PUBLISHED', 'ON_SALE'])
      await platform.data(`mutation($id: ID!, $to: EventStatus!) { transitionEvent(id: $id, to: $to) { status } }`, {
        id: eventId,
        to,
      });
    await until('the event reaching access as ON_SALE', async () => {
      const [row] = await access.sql.query<{ status: string }>(`SELECT status FROM "KnownEvent" WHERE "eventId" = $1::uuid`, [
        eventId,
      ]);
      return row?.status === 'ON_SALE';
    });

    const buyersStarted = performance.now();
    const batches = [WARMUP.buyers, ...CONCURRENCIES.map(() => BUYERS)];
    const authorizations: string[][] = [];
    for (const [b, count] of batches.entries())
      authorizations.push(await createBuyers(users.sql, platform.settings.EVENTGRAPH_JWT_SECRET, `${tag}-${b}`, count));
    console.log(
      `created ${batches.reduce((a, b) => a + b, 0)} buyers (users and access tokens) in ${((performance.now() - buyersStarted) / 1000).toFixed(1)} s`,
    );

    const sale = async (name: string, tickets: number, buyers: string[], concurrency: number) => {
      const { createTicketType } = await platform.data<{ createTicketType: { id: string } }>(
        `mutation($input: CreateTicketTypeInput!) { createTicketType(input: $input) { id } }`,
        {
          input: {
            eventId,
            name,
            priceMinor: 4900,
            currency: 'EUR',
            quantity: tickets,
            maxPerOrder: MAX_PER_ORDER,
            categories: ['GA'],
          },
        },
      );
      const typeId = createTicketType.id;
      const statements = () => Object.entries(platform.subgraphs).map(([name, sub]) => [name, sub.queries.statements] as const);
      const statementsBefore = statements();
      const cpuBefore = process.cpuUsage();
      const pgBefore = await postgres.sample();
      const waits = waitSampler(applicationName);
      const profiler = PROFILE && name !== 'Warm-up' ? await cpuProfiler() : undefined;
      profiler?.start();
      const result = await runWorker<SaleResult>(worker, {
        url: platform.gateway.url,
        authorizations: buyers,
        holdQuery: HOLD,
        confirmQuery: CONFIRM,
        eventId,
        ticketTypeId: typeId,
        concurrency,
        keyPrefix: name,
      } satisfies SaleJob);
      const own = process.cpuUsage(cpuBefore);
      const waited = await waits.stop();
      if (profiler) console.log(await profiler.stop());
      const pg = cpuSince(pgBefore, await postgres.sample());
      return {
        typeId,
        result,
        platformCpuMs: (own.user + own.system) / 1000,
        postgresCpuMs: pg.ours + pg.server,
        otherBackendsMs: pg.others,
        statements: statements().map(([name, n], i) => [name, n - statementsBefore[i]![1]] as const),
        waited,
      };
    };

    const warm = await sale('Warm-up', WARMUP.tickets, authorizations[0]!, CONCURRENCIES[0]!);
    console.log(
      `warm-up: ${warm.result.confirmed} confirmed, ${warm.result.soldOut} SOLD_OUT, ${warm.result.holdErrors + warm.result.confirmErrors} errors`,
    );

    const rows: string[] = [];
    const proofs: string[] = [];
    const readings: string[] = [];
    for (const [i, concurrency] of CONCURRENCIES.entries()) {
      const run = await sale(`Hot GA c${concurrency}`, TICKETS, authorizations[i + 1]!, concurrency);
      const r = run.result;
      if (r.errorSamples.length) console.log('  errors:', r.errorSamples);
      const proof = await proveSale(access.sql, run.typeId, r);
      proofs.push(`c${concurrency}: ${proof.text}`);
      if (!proof.ok) process.exitCode = 1;
      const granted = summarize(r.grantedMs);
      const soldOut = summarize(r.soldOutMs);
      const confirm = summarize(r.confirmMs);
      const seconds = (at: number) => (at / 1000).toFixed(2);
      const attempts = r.granted + r.soldOut + r.holdErrors;
      const requests = attempts + r.granted;
      rows.push(
        `| ${concurrency} | ${attempts} | ${r.granted} | ${r.soldOut} | ${r.confirmed} | ${r.holdErrors + r.confirmErrors} | ${seconds(r.lastConfirmAt)} | ${seconds(r.endAt)} | ${(((r.granted + r.confirmed) * 1000) / r.lastConfirmAt).toFixed(0)} | ${((r.granted * 1000) / r.lastGrantAt).toFixed(0)} | ${((r.confirmed * 1000) / r.lastConfirmAt).toFixed(0)} | ${((attempts * 1000) / r.endAt).toFixed(0)} | ${ms(granted.p50)} / ${ms(granted.p99)} | ${ms(confirm.p50)} / ${ms(confirm.p99)} | ${ms(soldOut.p50)} / ${ms(soldOut.p99)} | ${ms(run.platformCpuMs / requests, 2)} | ${ms(run.postgresCpuMs / requests, 2)} |`,
      );
      readings.push(
        `c${concurrency}: ${requests} requests in ${seconds(r.endAt)} s; platform process ${Math.round((run.platformCpuMs / r.endAt) * 100)} % of a core, PostgreSQL ${Math.round((run.postgresCpuMs / r.endAt) * 100)} % (other users' backends meanwhile ${Math.round((run.otherBackendsMs / r.endAt) * 100)} %), buyers' process ${Math.round((r.clientCpuMs / r.endAt) * 100)} %; SQL statements per request ${run.statements
          .filter(([, n]) => n > 0)
          .map(([name, n]) => `${name} ${(n / requests).toFixed(1)}`)
          .join(', ')}; this process's PostgreSQL connections, sampled every 100 ms: ${run.waited}`,
      );
      console.log(rows.at(-1));
      console.log(`  ${proofs.at(-1)}`);
      console.log(`  ${readings.at(-1)}`);
    }

    const m = machineInfo();
    const section = [
      `Measured on ${new Date(began).toISOString()} (took ${Math.round((Date.now() - began) / 1000)} s) with \`npm run -w @eventgraph/bench bench:tickets\` on ${m.cpu}, ${m.cores} cores, Node ${m.node}, PostgreSQL ${await postgresVersion()}, ${platform.busKind} bus, gateway and subgraphs in one process; load average ${loadBefore} at the start, ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' / ')} at the end.`,
      `Per row: one fresh ticket type of ${TICKETS.toLocaleString('en')} tickets (at most ${MAX_PER_ORDER} per order) of one ON_SALE event, ${BUYERS.toLocaleString('en')} buyers never seen before (users with access tokens, the gateway's default rate limits), each \`createHold\` of 1 ticket then, if granted, \`confirmHold\` with a client key; closed loop at the concurrency shown until every buyer was answered, after an unrecorded warm-up sale (${WARMUP.tickets} tickets, ${WARMUP.buyers} buyers). "sold out after" is the last booking, "all answered" the last of the ${BUYERS.toLocaleString('en')} buyers; holds + confirmations/s = (holds granted + bookings) ÷ time to the last booking, holds/s = holds granted ÷ time to the last grant, confirmations/s = bookings ÷ time to the last booking, hold answers/s = every createHold answer ÷ the whole run. CPU per request (hold or confirmation): the benchmark process (gateway and all subgraphs), and the PostgreSQL server (this process's backends and the server's own processes).`,
      '',
      '| concurrency | holds attempted | granted | SOLD_OUT | confirmed | other errors | sold out after s | all answered s | holds + confirmations/s | holds/s | confirmations/s | hold answers/s | hold (granted) p50 / p99 ms | confirm p50 / p99 ms | SOLD_OUT p50 / p99 ms | platform CPU ms / request | PostgreSQL CPU ms / request |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      'Proof from the database after each row:',
      '',
      ...proofs.map((p) => `- ${p}`),
      '',
      'Where the CPU went:',
      '',
      ...readings.map((p) => `- ${p}`),
    ].join('\n');
    console.log(`\n${section}\n`);
    if (process.env.BENCH_SALE_WRITE !== '0' && !PROFILE) writeResultsSection('ticket-sale', section);
  } finally {
    worker.kill();
    await postgres.close();
    await platform.stop();
  }
}

/**
 * What this process's PostgreSQL connections are doing, sampled every 100 ms from pg_stat_activity: the average
 * number in each state (`active` split by what it waits for: `Lock` is a row lock, the hot type's; `idle in
 * transaction` waits for Node between statements).
 */
function waitSampler(applicationName: string) {
  const pool = new Pool({ connectionString: ADMIN_URL, max: 1, application_name: 'eventgraph-bench-wait-sampler' });
  const seen = new Map<string, number>();
  let samples = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    pool
      .query<{ what: string; n: number }>(
        `SELECT CASE WHEN state = 'active' THEN 'active' || coalesce(' (' || wait_event_type || ')', ' (running)') ELSE state END AS what,
                count(*)::int AS n
         FROM pg_stat_activity WHERE application_name = $1 AND backend_type = 'client backend' GROUP BY 1`,
        [applicationName],
      )
      .then(({ rows }) => {
        samples++;
        for (const { what, n } of rows) seen.set(what, (seen.get(what) ?? 0) + n);
      })
      .catch(() => {})
      .finally(() => (busy = false));
  }, 100);
  return {
    async stop(): Promise<string> {
      clearInterval(timer);
      await pool.end();
      return [...seen]
        .sort((a, b) => b[1] - a[1])
        .map(([what, n]) => `${what} ${(n / Math.max(1, samples)).toFixed(1)}`)
        .join(', ');
    },
  };
}

/** `count` users in the users subgraph (one INSERT … SELECT, as createUser makes them), each with an access token. */
async function createBuyers(users: Sql, jwtSecret: string, tag: string, count: number): Promise<string[]> {
  const rows = await users.query<{ id: string }>(
    `INSERT INTO "User" (id, email, "displayName")
     SELECT gen_random_uuid(), 'bench-buyer-' || $1 || '-' || i || '@example.com', 'Buyer ' || i FROM generate_series(1, $2::int) AS i
     RETURNING id`,
    [tag, count],
  );
  const tokens: string[] = [];
  for (const { id } of rows) tokens.push(`Bearer ${(await issueAccessToken(id, jwtSecret, 3600)).token}`);
  return tokens;
}

/** What the database says of the sale of one type, checked against what the buyers were told. */
async function proveSale(sql: Sql, typeId: string, r: SaleResult): Promise<{ ok: boolean; text: string }> {
  const [type] = await sql.query<{ quantity: number; sold: number; held: number }>(
    `SELECT quantity, sold, held FROM "TicketType" WHERE id = $1::uuid`,
    [typeId],
  );
  const [tickets] = await sql.query<{ tickets: number; valid: number; codes: number; bookings: number }>(
    `SELECT count(*)::int AS tickets, count(*) FILTER (WHERE status = 'VALID')::int AS valid,
            count(DISTINCT code)::int AS codes, count(DISTINCT "bookingId")::int AS bookings
     FROM "Ticket" WHERE "ticketTypeId" = $1::uuid`,
    [typeId],
  );
  const [bookings] = await sql.query<{ bookings: number; quantity: number; buyers: number }>(
    `SELECT count(*)::int AS bookings, coalesce(sum(i.quantity), 0)::int AS quantity, count(DISTINCT b."buyerId")::int AS buyers
     FROM "Booking" b JOIN "HoldItem" i ON i."holdId" = b."holdId"
     WHERE i."ticketTypeId" = $1::uuid AND b.status = 'CONFIRMED'`,
    [typeId],
  );
  const holds = await sql.query<{ status: string; holds: number }>(
    `SELECT h.status, count(*)::int AS holds FROM "Hold" h JOIN "HoldItem" i ON i."holdId" = h.id
     WHERE i."ticketTypeId" = $1::uuid GROUP BY h.status ORDER BY h.status`,
    [typeId],
  );
  const [over] = await sql.query<{ types: number }>(
    `SELECT count(*)::int AS types FROM "TicketType" WHERE sold + held > quantity`,
  );
  const checks: Array<[string, boolean]> = [
    [`sold ${type!.sold} of ${type!.quantity}`, type!.sold === TICKETS && type!.quantity === TICKETS],
    [`held ${type!.held}`, type!.held === 0],
    [
      `${tickets!.tickets} tickets (${tickets!.codes} distinct codes, ${tickets!.valid} valid)`,
      tickets!.tickets === TICKETS && tickets!.codes === TICKETS && tickets!.valid === TICKETS,
    ],
    [
      `${bookings!.bookings} confirmed bookings of ${bookings!.quantity} tickets from ${bookings!.buyers} distinct buyers`,
      bookings!.quantity === TICKETS && bookings!.buyers === bookings!.bookings && tickets!.bookings === bookings!.bookings,
    ],
    [`holds ${holds.map((h) => `${h.status} ${h.holds}`).join(', ')}`, holds.every((h) => h.status === 'CONFIRMED')],
    [`${over!.types} types over quantity`, over!.types === 0],
    [
      `buyers told: ${r.confirmed} bookings (${new Set(r.bookingIds).size} distinct), ${r.soldOut} SOLD_OUT`,
      r.confirmed === TICKETS &&
        new Set(r.bookingIds).size === TICKETS &&
        r.granted === TICKETS &&
        r.soldOut === BUYERS - TICKETS,
    ],
  ];
  const failed = checks.filter(([, ok]) => !ok).map(([what]) => what);
  const text = `${checks.map(([what]) => what).join('; ')} — ${failed.length ? `**FAILED: ${failed.join('; ')}**` : 'all as they must be'}`;
  return { ok: failed.length === 0, text };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

main()
  .then(() => process.exit(process.exitCode ?? 0))
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
