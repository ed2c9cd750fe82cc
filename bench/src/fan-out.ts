/**
 * Fan-out at scale: 10,000 graphql-ws subscribers (one socket each, in a forked client process) on one
 * gateway, all subscribed to one series' check-ins, at increasing check-in rates. Prints delivery
 * latency, the subgraph requests the gateway makes per check-in (independent of the subscribers when
 * events are resolved once per distinct operation) and the memory an idle subscriber holds. Writes the
 * `fan-out` block of bench/RESULTS.md.
 *
 *   npm run -w @eventgraph/bench bench:fanout
 *   FANOUT_CLIENTS=2000 FANOUT_RATES=1,5 npm run -w @eventgraph/bench bench:fanout
 */
import { loadavg } from 'node:os';
import { machineInfo, ms, writeResultsSection } from './common';
import { runSubscriptionLatency, type SubscriptionBenchResult } from './subscription-latency';

const CLIENTS = Number(process.env.FANOUT_CLIENTS ?? 10_000);
const RATES = (process.env.FANOUT_RATES ?? '1,5,20').split(',').map(Number);
const SECONDS_PER_RATE = Number(process.env.FANOUT_SECONDS ?? 5);

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

function row(rate: number, r: SubscriptionBenchResult): string {
  const fetches = Object.entries(r.fetchesPerCheckIn)
    .filter(([, n]) => n > 0)
    .map(([subgraph, n]) => `${subgraph} ${n.toFixed(2)}`)
    .join(', ');
  return (
    `| ${rate}/s | ${r.connected} / ${r.options.clients} | ${r.delivered} / ${r.expected} | ${ms(r.delivery.p50)} | ${ms(r.delivery.p99)} | ` +
    `${ms(r.delivery.max)} | ${fetches} | ${r.upstreamsWhileSubscribed} | ${kib(r.perIdleSubscriber.heapBytes)} / ${kib(r.perIdleSubscriber.rssBytes)} | ` +
    `${(r.serverCpu * 100).toFixed(0)}% | ${(r.clientCpu * 100).toFixed(0)}% | ${r.errors} |`
  );
}

async function main() {
  const began = Date.now();
  const loadBefore = loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
  const rows: string[] = [];
  for (const rate of RATES) {
    const result = await runSubscriptionLatency({
      bus: 'memory',
      clients: CLIENTS,
      checkIns: Math.max(5, Math.round(rate * SECONDS_PER_RATE)),
      spacingMs: 1000 / rate,
      connectBatch: 250,
      drainMs: 30_000,
    });
    rows.push(row(rate, result));
  }
  const machine = machineInfo();
  const section = [
    `Measured on ${new Date(began).toISOString()} (took ${Math.round((Date.now() - began) / 1000)} s) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average ${loadBefore} at the start, ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' / ')} at the end.`,
    `The platform in one process on the PostgreSQL server (memory bus); ${CLIENTS} graphql-ws clients in one forked process on the same 2 cores; check-ins sent over HTTP through the gateway at each rate for about ${SECONDS_PER_RATE} s; latency = receive − send in the client process, every (client, check-in).`,
    '',
    '| check-ins | clients connected | delivered / expected | p50 ms | p99 ms | max ms | subgraph requests per check-in | upstream subscriptions | per idle subscriber: heap / RSS KiB | platform CPU | client CPU | errors |',
    '|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  console.log(section);
  writeResultsSection('fan-out', section);
}

main()
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
