/**
 * The gateway's share of fan-out, alone: the gateway tests' three small subgraphs and the subscription
 * engine (with metrics), graphql-ws adapter (with a connection registry and the 4 MiB send bound) in this
 * process, no database; N clients in a forked process subscribed to one operation. Prints the CPU each
 * side spends per delivered message, and with a rate how far behind the last event was delivered.
 *
 *   npx tsx bench/src/fan-out-gateway.ts [clients=10000] [events=20] [mode]
 *   mode: `each` (default: an event once the clients took the last), `burst` (all at once), `rate=20`
 *   FANOUT_CLIENT=graphql-ws for graphql-ws's client (as bench:fanout) instead of raw sockets; FANOUT_PROFILE=1
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import WebSocket from 'ws';
import { GatewayMetrics } from '../../gateway/src/gateway-metrics';
import { ConnectionRegistry } from '../../gateway/src/subscriptions/connection-registry';
import { createSubscriptionEngine, staticUpstreamAuth } from '../../gateway/src/subscriptions/engine';
import { silentLogger } from '../../gateway/src/subscriptions/logger';
import { serveGraphQLOverWebSocket } from '../../gateway/src/subscriptions/ws-adapter';
import { PRINCIPAL, composeSupergraph, startSubgraphs } from '../../gateway/test/subscriptions/harness';
import { cpuProfiler } from './cpu-profile';

const QUERY = 'subscription($s: ID) { checkInRecorded(seriesId: $s) { id at series { event { title organization { name } } } } }';
const asClient = process.argv[2] === 'client';
const microsPer = (usage: NodeJS.CpuUsage, n: number) => ((usage.user + usage.system) / n).toFixed(1);

async function server() {
  const [clients, events] = [Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 20)];
  const mode = process.argv[4] ?? 'each';
  const rate = mode.startsWith('rate=') ? Number(mode.slice(5)) : 0;
  const subgraphs = await startSubgraphs();
  const engine = createSubscriptionEngine({
    supergraphSdl: composeSupergraph(),
    subgraphUrl: (name) => subgraphs[name as 'a' | 'b' | 'c'].url,
    metrics: new GatewayMetrics(new Registry()),
  });
  const http = createServer((_req, res) => res.end('ok'));
  const connections = new ConnectionRegistry({
    revalidate: async () => ({ kind: 'unchanged' as const }),
    intervalMs: 0,
    logger: silentLogger,
  });
  let attached = 0;
  serveGraphQLOverWebSocket({
    server: http,
    path: '/graphql',
    // counts the streams handed out, to start once every client is on the upstream
    engine: { ...engine, subscribe: async (args) => (attached++, engine.subscribe(args)) },
    connections,
    sendBuffer: { maxBytes: 4 * 1024 * 1024 },
    authenticate: async () => staticUpstreamAuth({ [PRINCIPAL]: 'signed:bench' }),
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
  const child = fork(__filename, ['client', url, String(clients)], { execArgv: ['--import', 'tsx'] });
  // every message from the client, queued, so none is missed between awaits
  const inbox: string[] = [];
  let wake = () => {};
  child.on('message', (message) => (inbox.push(String(message)), wake()));
  const fromClient = async () => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return inbox.shift()!;
  };
  let published = 0;
  const publish = () => subgraphs.publish({ id: `c${published++}`, at: new Date().toISOString(), seriesId: 's1' });

  await fromClient(); // subscribed
  while (attached < clients) await new Promise((resolve) => setTimeout(resolve, 20));
  publish(); // warm-up: every client takes one before the measured events
  await fromClient();
  const profiler = process.env.FANOUT_PROFILE ? await cpuProfiler() : undefined;
  profiler?.start();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < events; i++) {
    if (mode === 'burst' && i === 0) for (let j = 0; j < events; j++) publish();
    else if (rate > 0 && i === 0) for (let j = 0; j < events; j++) setTimeout(publish, (j * 1000) / rate);
    else if (mode === 'each') publish();
    await fromClient(); // every client took one more event
  }
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  child.send('report');
  const clientCpu = await fromClient();
  const messages = clients * events;
  const lag =
    rate > 0
      ? `, the last event delivered to all ${(wall - ((events - 1) * 1000) / rate).toFixed(0)} ms after it was published`
      : '';
  console.log(
    `${clients} clients (${process.env.FANOUT_CLIENT ?? 'raw'}) × ${events} events (${mode}): ${Math.round(messages / (wall / 1000))} messages/s${lag}; ` +
      `CPU per message: gateway ${microsPer(cpu, messages)} µs (system ${(cpu.system / messages).toFixed(1)}), clients ${clientCpu} µs`,
  );
  if (profiler) console.log(await profiler.stop());
  child.kill();
  process.exit(0);
}

async function client() {
  const [url, n] = [process.argv[3]!, Number(process.argv[4])];
  let received = 0;
  let cpu0: NodeJS.CpuUsage | undefined;
  const onNext = () => {
    if (++received === n) cpu0 = process.cpuUsage(); // measured from the end of the warm-up event
    if (received % n === 0) process.send!('event');
  };
  process.on('message', () => process.send!(microsPer(process.cpuUsage(cpu0), received - n)));
  const graphqlWs = process.env.FANOUT_CLIENT === 'graphql-ws' ? await import('graphql-ws') : undefined;
  const open = (): Promise<void> =>
    new Promise((resolve) => {
      if (graphqlWs) {
        const c = graphqlWs.createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0 });
        c.on('connected', () => resolve());
        c.subscribe({ query: QUERY, variables: { s: 's1' } }, { next: onNext, error: () => {}, complete: () => {} });
        return;
      }
      const socket = new WebSocket(url, 'graphql-transport-ws');
      socket.on('open', () => socket.send('{"type":"connection_init"}'));
      socket.on('message', (raw) => {
        const { type } = JSON.parse(String(raw)) as { type: string };
        if (type === 'next') onNext();
        if (type !== 'connection_ack') return;
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY, variables: { s: 's1' } } }));
        resolve();
      });
    });
  for (let i = 0; i < n; i += 250) await Promise.all(Array.from({ length: Math.min(250, n - i) }, open));
  process.send!('subscribed');
}

void (asClient ? client() : server());
