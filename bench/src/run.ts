/**
 * `npm run bench`: the query-latency, subscription-latency and auth-overhead benchmarks against the PostgreSQL
 * server, tables on stdout, and bench/RESULTS.md rewritten with the machine, the parameters and the numbers.
 * The interpretations between the <!-- interpretation --> and <!-- auth-interpretation --> markers of an
 * existing RESULTS.md are kept.
 *
 * Environment: BENCH_ADMIN_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test, used to create
 * the database BENCH_DATABASE=eventgraph_bench), NATS_URL, BENCH_SKIP_NATS=1, BENCH_DURATION_MS,
 * BENCH_WARMUP_MS, BENCH_CLIENTS, BENCH_CHECKINS, BENCH_SPACING_MS, BENCH_AUTH_ROUNDS, BENCH_AUTH_CONCURRENCY,
 * BENCH_SKIP_AUTH=1, BENCH_SKIP_SEARCH=1 (the search benchmark, bench/src/search.ts: BENCH_SEARCH_EVENTS, BENCH_SEARCH_CONCURRENCY),
 * BENCH_SKIP_LISTING=1 (the federated listing page, bench/src/listing-page.ts: BENCH_LISTING_EVENTS, BENCH_LISTING_VENUES,
 * BENCH_LISTING_CONCURRENCY, BENCH_LISTING_PAGES; its <!-- listing-interpretation --> block is kept).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import {
  AUTH_SECTION_TITLE,
  DEFAULT_AUTH_OPTIONS,
  findAuthSection,
  formatAuthSection,
  formatAuthTables,
  keptAuthInterpretation,
  runAuthOverhead,
  type AuthBenchResult,
} from './auth-overhead';
import { benchDir, machineInfo, ms, NATS_URL, postgresVersion } from './common';
import {
  DEFAULT_LISTING_OPTIONS,
  insertListingSection,
  readListingSection,
  runListingBench,
  writeListingSection,
} from './listing-page';
import { DEFAULT_SEARCH_OPTIONS, insertSearchSection, readSearchSection, runSearchBench, writeSearchSection } from './search';
import { DEFAULT_QUERY_OPTIONS, formatQueryTable, runQueryLatency } from './query-latency';
import {
  DEFAULT_SUBSCRIPTION_OPTIONS,
  formatSubscriptionTable,
  runSubscriptionLatency,
  type SubscriptionBenchResult,
} from './subscription-latency';

const START = '<!-- interpretation -->';
const END = '<!-- /interpretation -->';

async function natsReachable(): Promise<boolean> {
  try {
    const nc = await connect({ servers: NATS_URL, timeout: 2000, reconnect: false });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const began = Date.now();
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ');
  const loadBefore = load();
  const machine = { ...machineInfo(), postgres: await postgresVersion() };
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${machine.postgres}`,
  );

  const query = await runQueryLatency(DEFAULT_QUERY_OPTIONS);
  const subscriptions: SubscriptionBenchResult[] = [];
  subscriptions.push(await runSubscriptionLatency({ ...DEFAULT_SUBSCRIPTION_OPTIONS, bus: 'memory' }));
  let natsNote = '';
  if (process.env.BENCH_SKIP_NATS === '1') natsNote = 'NATS run skipped (BENCH_SKIP_NATS=1).';
  else if (!(await natsReachable())) natsNote = `NATS run skipped: ${NATS_URL} not reachable.`;
  else subscriptions.push(await runSubscriptionLatency({ ...DEFAULT_SUBSCRIPTION_OPTIONS, bus: 'nats' }));
  if (natsNote) console.log(natsNote);
  let auth: AuthBenchResult | undefined;
  if (process.env.BENCH_SKIP_AUTH !== '1') auth = await runAuthOverhead(DEFAULT_AUTH_OPTIONS);

  const loadAfter = load();
  const queryTable = formatQueryTable(query);
  const subscriptionTable = formatSubscriptionTable(subscriptions);
  console.log(`\n${queryTable}\n\n${subscriptionTable}\n`);
  if (auth) console.log(`${formatAuthTables(auth)}\n`);

  const file = join(benchDir, 'RESULTS.md');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const kept =
    previous.includes(START) && previous.includes(END)
      ? previous.slice(previous.indexOf(START), previous.indexOf(END) + END.length)
      : `${START}\n_(no interpretation written yet)_\n${END}`;
  const q = query.options;
  const s = subscriptions[0]!.options;
  const details = subscriptions
    .map(
      (r) =>
        `- **${r.options.bus} bus**: ${r.connected}/${r.options.clients} sockets connected in ${ms(r.connectMs, 0)} ms; ${r.allowed}/${r.options.checkIns} check-ins allowed; ` +
        `mutation round trip p50 ${ms(r.mutation.p50)} ms / max ${ms(r.mutation.max)} ms; per check-in, first delivery p50 ${ms(r.firstDelivery.p50)} ms, ` +
        `last of ${r.connected} deliveries p50 ${ms(r.lastDelivery.p50)} ms / max ${ms(r.lastDelivery.max)} ms; delivery mean ${ms(r.delivery.mean)} ms; ` +
        `platform process CPU ${(r.serverCpu * 100).toFixed(0)}% of a core (ELU ${(r.serverElu * 100).toFixed(0)}%), client process ${(r.clientCpu * 100).toFixed(0)}% over the ${ms(r.workerMs / 1000, 1)} s client run` +
        (r.errorSamples.length ? `; error samples: ${r.errorSamples.map((e) => `\`${e}\``).join(', ')}` : ''),
    )
    .join('\n');
  // BENCH_SKIP_AUTH=1 keeps the previous run's section as it was
  const previousAuth = findAuthSection(previous);
  const authSection = auth
    ? formatAuthSection(auth, keptAuthInterpretation(previous))
    : previousAuth
      ? previous.slice(previousAuth.start, previousAuth.end).trimEnd() + '\n'
      : `${AUTH_SECTION_TITLE}\n\nSkipped (BENCH_SKIP_AUTH=1).\n\n${keptAuthInterpretation(previous)}\n`;
  const queryErrors = query.rows
    .filter((r) => r.errorSamples.length)
    .map((r) => `- c=${r.concurrency} ${r.target}: ${r.errorSamples.map((e) => `\`${e}\``).join(', ')}`);

  const md = `# Eventgraph benchmarks

Generated by \`npm run bench\` (\`tsx bench/src/run.ts\`) on ${new Date(began).toISOString()} (took ${Math.round((Date.now() - began) / 1000)} s).

## Machine

| CPU | cores | memory | Node | PostgreSQL | load average (1/5/15 min) at start → end |
|---|---:|---:|---|---|---|
| ${machine.cpu} | ${machine.cores} | ${machine.memoryGiB} GiB | ${machine.node} | ${machine.postgres} | ${loadBefore} → ${loadAfter} |

The whole platform (gateway + users, events, access, ingest subgraphs) runs in one Node process
(\`startPlatform\`, ephemeral ports, each subgraph in its own schema of the database \`eventgraph_bench\`
on the local PostgreSQL server, Prisma pool of 10 connections per subgraph, \`LOG_LEVEL=silent\`).
The load generators run in a **separate, forked Node process** (\`child_process.fork\` + tsx), so they do
not share the platform's event loop; on this 2-core machine they do share the CPU with the platform and
PostgreSQL.

## 1. Query latency (\`bench/src/query-latency.ts\`)

Seed: 1 organisation, 1 venue, ${q.events} events. Closed loop: *c* virtual users each keep one request in
flight on a keep-alive connection (node:http Agent) and send the next as soon as the answer is read; the
${q.events} event ids are used round-robin. ${q.warmupMs / 1000} s warm-up, then ${q.durationMs / 1000} s measured per row.
Percentiles are exact (sorted recorded latencies, nearest rank). A response is an error unless it is
HTTP 200 with the expected data and no \`errors\`. "server CPU" is the platform process's CPU time / wall time
(100% = one core), "ELU" its event-loop utilisation; "client CPU" the load generator's.

- gateway: \`POST /graphql\` with \`Authorization: Bearer <dev token>\`
- events subgraph (direct): \`POST\` to the events subgraph with a principal signed by \`signPrincipal\` in \`x-eventgraph-principal\`

${queryTable}
${queryErrors.length ? `\nError samples:\n${queryErrors.join('\n')}\n` : ''}
## 2. Subscription fan-out latency (\`bench/src/subscription-latency.ts\`)

${s.clients} graphql-ws clients (graphql-ws \`createClient\` + \`ws\`, one socket each, opened ${s.connectBatch} at a time) subscribe through
the gateway to

\`\`\`graphql
subscription Bench($seriesId: ID!) {
  checkInRecorded(seriesId: $seriesId) { nfcId allowed gate { name } series { name event { title } } }
}
\`\`\`

(\`checkInRecorded\`, \`gate\`, \`series\` from access; \`event { title }\` fetched from events for every event).
A probe check-in (unknown wristband) must reach every client before measuring. Then ${s.checkIns} \`checkIn\` mutations
(each with its own wristband, ENTRY, allowed) are sent over HTTP through the gateway every ${s.spacingMs} ms without waiting for
the previous one. Latency = time a client receives the result − time the mutation was sent, both taken in the client
process; one sample per (client, check-in). Path: gateway → access (transaction, outbox row) → commit → outbox relay →
bus → access subscription resolver → graphql-ws to the gateway's one shared upstream → per-event entity fetch to events →
${s.clients} graphql-ws messages. "after clients left" is \`engine.upstreamCount()\` after every client disconnected.

${subscriptionTable}

${details}
${natsNote ? `\n${natsNote}\n` : ''}
${authSection}
## Interpretation

${kept}
`;
  const previousSearch = readSearchSection();
  const previousListing = readListingSection();
  writeFileSync(file, md);
  if (process.env.BENCH_SKIP_SEARCH !== '1') writeSearchSection(await runSearchBench(DEFAULT_SEARCH_OPTIONS));
  else if (previousSearch) insertSearchSection(previousSearch);
  // after the search section, so it lands between search and the interpretation
  if (process.env.BENCH_SKIP_LISTING !== '1')
    writeListingSection(await runListingBench(DEFAULT_LISTING_OPTIONS), previousListing);
  else if (previousListing) insertListingSection(previousListing);
  console.log(`wrote ${file}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
