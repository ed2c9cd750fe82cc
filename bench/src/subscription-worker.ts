/**
 * The client side of the subscription benchmark, in its own process (forked by
 * subscription-latency.ts): opens `clients` graphql-ws connections to the gateway (one socket each),
 * subscribes each to checkInRecorded(seriesId), sends check-in mutations over HTTP at a fixed
 * spacing and records, for every (client, check-in), receive time − mutation send time. Send and
 * receive times are taken in this process, on one monotonic clock.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface SubscriptionJob {
  httpUrl: string;
  wsUrl: string;
  token: string;
  seriesId: string;
  gateId: string;
  /** one NFC id per measured check-in, each allowed once */
  nfcIds: string[];
  clients: number;
  /** sockets opened at a time */
  connectBatch: number;
  spacingMs: number;
  /** how long to wait for stragglers after the last check-in */
  drainMs: number;
}

export interface CheckInTiming {
  nfcId: string;
  /** mutation round trip (ms) */
  mutationMs: number;
  allowed: boolean | null;
  delivered: number;
  firstMs: number;
  lastMs: number;
}

export interface SubscriptionWorkerResult {
  clients: number;
  connected: number;
  connectMs: number;
  subscribeReadyMs: number;
  expected: number;
  delivered: number;
  errors: number;
  errorSamples: string[];
  latencies: number[];
  perCheckIn: CheckInTiming[];
  upstreamsWhileSubscribed: number;
  clientCpuMs: number;
}

export const SUBSCRIPTION = `subscription Bench($seriesId: ID!) {
  checkInRecorded(seriesId: $seriesId) { nfcId allowed gate { name } series { name event { title } } }
}`;
const CHECK_IN = `mutation($input: CheckInInput!) { checkIn(input: $input) { allowed reason } }`;

type Received = { nfcId: string; allowed: boolean; gate: { name: string }; series: { name: string; event: { title: string } } };

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function post(url: URL, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(body);
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': data.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const sleep = (millis: number) => new Promise((r) => setTimeout(r, millis));

/** asks the parent (which runs the gateway) for engine.upstreamCount() */
function upstreamCount(): Promise<number> {
  return new Promise((resolve) => {
    const listener = (msg: any) => {
      if (msg?.type === 'upstreams') {
        process.off('message', listener);
        resolve(msg.count as number);
      }
    };
    process.on('message', listener);
    process.send!({ type: 'upstreams?' });
  });
}

export async function runSubscriptionClients(
  job: SubscriptionJob,
  log: (msg: string) => void,
): Promise<SubscriptionWorkerResult> {
  const httpUrl = new URL(job.httpUrl);
  const cpu0 = process.cpuUsage();
  const clients: Client[] = [];
  const sendTimes = new Map<string, number>();
  const timings = new Map<string, CheckInTiming>();
  const latencies: number[] = [];
  const probesSeen = new Map<string, number>();
  const errorSamples: string[] = [];
  let errors = 0;
  let connected = 0;
  const fail = (what: string) => {
    errors++;
    if (errorSamples.length < 5) errorSamples.push(what);
  };

  const t0 = performance.now();
  for (let i = 0; i < job.clients; i += job.connectBatch) {
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(job.clients, i + job.connectBatch); j++) {
      batch.push(
        new Promise<void>((resolve) => {
          const client = createClient({
            url: job.wsUrl,
            webSocketImpl: WebSocket,
            lazy: false,
            retryAttempts: 0,
            connectionParams: { authorization: `Bearer ${job.token}` },
            onNonLazyError: (err) => {
              fail(`connection: ${String((err as Error)?.message ?? JSON.stringify(err))}`);
              resolve();
            },
          });
          clients.push(client);
          client.on('connected', () => {
            connected++;
            resolve();
          });
          client.subscribe<{ checkInRecorded: Received }>(
            { query: SUBSCRIPTION, variables: { seriesId: job.seriesId } },
            {
              next: (result) => {
                const now = performance.now();
                const data = result.data?.checkInRecorded;
                if (result.errors?.length || !data?.series?.event?.title || !data.gate?.name) {
                  fail(`result: ${JSON.stringify(result).slice(0, 300)}`);
                  return;
                }
                const sent = sendTimes.get(data.nfcId);
                if (sent === undefined) {
                  probesSeen.set(data.nfcId, (probesSeen.get(data.nfcId) ?? 0) + 1);
                  return;
                }
                const latency = now - sent;
                latencies.push(latency);
                const timing = timings.get(data.nfcId)!;
                timing.delivered++;
                timing.firstMs = Math.min(timing.firstMs, latency);
                timing.lastMs = Math.max(timing.lastMs, latency);
              },
              error: (err) => fail(`subscription: ${JSON.stringify(err).slice(0, 300)}`),
              complete: () => {},
            },
          );
        }),
      );
    }
    await Promise.all(batch);
  }
  const connectMs = performance.now() - t0;
  log(`${connected}/${job.clients} clients connected in ${connectMs.toFixed(0)} ms`);

  // Nothing tells a graphql-ws client that its subscription is registered, so probe: a denied check-in
  // (unknown wristband) must reach every client before the measured check-ins start.
  let ready = false;
  for (let probe = 0; probe < 10 && !ready; probe++) {
    const nfcId = `probe-${probe}-${Math.random().toString(36).slice(2, 8)}`;
    await post(
      httpUrl,
      job.token,
      JSON.stringify({
        query: CHECK_IN,
        variables: { input: { seriesId: job.seriesId, gateId: job.gateId, nfcId, direction: 'ENTRY' } },
      }),
    );
    const deadline = performance.now() + 5_000;
    while (performance.now() < deadline && (probesSeen.get(nfcId) ?? 0) < connected) await sleep(20);
    ready = (probesSeen.get(nfcId) ?? 0) >= connected;
    log(`probe ${probe}: ${probesSeen.get(nfcId) ?? 0}/${connected} clients received it`);
  }
  const subscribeReadyMs = performance.now() - t0;
  const upstreamsWhileSubscribed = await upstreamCount();

  // the measured check-ins, at a fixed spacing (not waiting for the previous one)
  const start = performance.now();
  const mutations: Promise<void>[] = [];
  for (let k = 0; k < job.nfcIds.length; k++) {
    const wait = start + k * job.spacingMs - performance.now();
    if (wait > 0) await sleep(wait);
    const nfcId = job.nfcIds[k]!;
    const timing: CheckInTiming = { nfcId, mutationMs: NaN, allowed: null, delivered: 0, firstMs: Infinity, lastMs: 0 };
    timings.set(nfcId, timing);
    const body = JSON.stringify({
      query: CHECK_IN,
      variables: { input: { seriesId: job.seriesId, gateId: job.gateId, nfcId, direction: 'ENTRY' } },
    });
    const sent = performance.now();
    sendTimes.set(nfcId, sent);
    mutations.push(
      post(httpUrl, job.token, body)
        .then(({ status, text }) => {
          timing.mutationMs = performance.now() - sent;
          const parsed = JSON.parse(text) as { data?: { checkIn?: { allowed: boolean } }; errors?: unknown[] };
          timing.allowed = parsed.data?.checkIn?.allowed ?? null;
          if (status !== 200 || parsed.errors?.length) fail(`mutation ${status}: ${text.slice(0, 300)}`);
        })
        .catch((err: unknown) => fail(`mutation: ${String(err)}`)),
    );
  }
  await Promise.all(mutations);
  const expected = job.nfcIds.length * job.clients;
  const deadline = performance.now() + job.drainMs;
  while (latencies.length < expected && performance.now() < deadline) await sleep(50);

  const cpu = process.cpuUsage(cpu0);
  await Promise.all(clients.map((c) => c.dispose()));
  return {
    clients: job.clients,
    connected,
    connectMs,
    subscribeReadyMs,
    expected,
    delivered: latencies.length,
    errors,
    errorSamples,
    latencies,
    perCheckIn: [...timings.values()],
    upstreamsWhileSubscribed,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

if (require.main === module && process.send) {
  process.on('message', (msg: any) => {
    if (msg?.type !== 'job') return;
    runSubscriptionClients(msg.job as SubscriptionJob, (text) => process.send!({ type: 'log', text }))
      .then((result) => process.send!({ type: 'result', result }))
      .catch((err: unknown) =>
        process.send!({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
}
