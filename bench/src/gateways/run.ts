/**
 * Side by side: our gateway (with and without sharing identical queries in flight), stock @apollo/gateway (Apollo Server defaults) and Hive Gateway (`--jit`)
 * on the public gateways benchmark's supergraph, its four subgraphs (data.ts, in Node, each in its own
 * process) and its nested query, under the same closed-loop load. Rounds are interleaved, the order
 * rotating, so drift on the machine hits every gateway alike. Every gateway's answer is checked
 * against the others' before any load. Prints requests/s, p50/p99 and gateway CPU per request (the
 * gateway's process tree, from /proc) and writes the table into bench/RESULTS.md (`gateways`).
 *
 *   npm run -w @eventgraph/bench bench:gateways
 *   GATEWAYS=ours,stock ROUNDS=1 SECONDS=5 CONNECTIONS=50 npm run -w @eventgraph/bench bench:gateways
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { benchDir, forkWorker, machineInfo, ms, processTreeCpuMs, runWorker, summarize, writeResultsSection } from '../common';
import type { GatewayJob } from '../gateway-worker';
import type { LoadJob, LoadResult } from '../load-worker';
import { otherProcessesShare } from './machine-cpu';
import { referenceAnswer } from './reference';
import { children, startBenchSupergraph, stopAll } from './setup';

const NAMES = ['ours', 'ours-unshared', 'stock', 'hive'] as const;
type Name = (typeof NAMES)[number];
const LABELS: Record<Name, string> = {
  ours: 'Eventgraph gateway',
  'ours-unshared': 'Eventgraph gateway, EVENTGRAPH_SHARE_INFLIGHT_QUERIES=false',
  stock: 'stock @apollo/gateway 2.14 + Apollo Server 5',
  hive: 'Hive Gateway 2.15 (--jit)',
};

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROUNDS = env('ROUNDS', 3);
const SECONDS = env('SECONDS', 10);
const CONNECTIONS = env('CONNECTIONS', 50);
const chosen = (process.env.GATEWAYS?.split(',') ?? NAMES).filter((n): n is Name => (NAMES as readonly string[]).includes(n));

interface RunningGateway {
  name: Name;
  url: string;
  pid: number;
  headers: Record<string, string>;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startGateway(name: Name, supergraphSdl: string, supergraphFile: string): Promise<RunningGateway> {
  // ours with identical queries in flight sent each time (stock @apollo/gateway never shares them; Hive Gateway
  // does by default, as ours does)
  if (name === 'ours' || name === 'ours-unshared') {
    const child = forkWorker('gateway-worker.ts');
    children.push(child);
    const devToken = 'bench-dev-token';
    const job: GatewayJob = {
      supergraphSdl,
      principalSecret: 'bench-principal-secret-0123456789abcdef',
      jwtSecret: 'bench-jwt-secret-0123456789abcdef012345',
      devToken,
      // the rate limiter must never be what is measured
      callerPolicies: { anonymous: undefined, user: undefined, apiKey: undefined, device: undefined, service: undefined },
      shareInflightQueries: name === 'ours',
    };
    const { url } = await runWorker<{ url: string }>(child, job);
    return { name, url, pid: child.pid!, headers: { authorization: `Bearer ${devToken}` }, stop: () => child.kill() };
  }
  if (name === 'stock') {
    const child = forkWorker('gateways/stock-gateway-worker.ts');
    children.push(child);
    const { url } = await runWorker<{ url: string }>(child, supergraphSdl);
    return { name, url, pid: child.pid!, headers: {}, stop: () => child.kill() };
  }
  const port = await freePort();
  const bin = join(benchDir, '..', 'node_modules', '.bin', 'hive-gateway');
  const child = spawn(
    bin,
    ['supergraph', supergraphFile, '--jit', '--fork', '1', '--port', String(port), '--host', '127.0.0.1'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  children.push(child);
  const url = `http://127.0.0.1:${port}/graphql`;
  for (const deadline = Date.now() + 60_000; ;) {
    if (await answer(url, {}, '{ __typename }').catch(() => undefined)) break;
    if (Date.now() > deadline) throw new Error('Hive Gateway did not start within 60 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  return { name, url, pid: child.pid!, headers: {}, stop: () => child.kill() };
}

async function answer(url: string, headers: Record<string, string>, query: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

interface Round {
  name: Name;
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  errors: number;
  /** share of the machine other processes took meanwhile */
  otherShare: number;
}

/** `expected`: the reference answer's `data` as JSON text; a response without it exactly counts as an error. */
async function measure(gateway: RunningGateway, query: string, expected: string): Promise<Round> {
  const worker = forkWorker('load-worker.ts');
  try {
    let cpuAtStart = 0;
    let others = () => 0;
    const job: LoadJob = {
      url: gateway.url,
      headers: gateway.headers,
      bodies: [JSON.stringify({ query })],
      concurrency: CONNECTIONS,
      warmupMs: 2_000,
      durationMs: SECONDS * 1_000,
      expect: expected,
    };
    const result = await runWorker<LoadResult>(worker, job, (msg: { type?: string }) => {
      if (msg?.type !== 'measuring') return;
      cpuAtStart = processTreeCpuMs(gateway.pid);
      others = otherProcessesShare();
    });
    const cpu = processTreeCpuMs(gateway.pid) - cpuAtStart;
    const otherShare = others();
    const latency = summarize(result.latencies);
    if (result.errors) console.log(`${gateway.name} failures, e.g.: ${result.errorSamples.join(' | ').slice(0, 600)}`);
    return {
      name: gateway.name,
      rps: result.rps,
      p50: latency.p50,
      p99: latency.p99,
      cpuMsPerRequest: cpu / Math.max(1, result.requests),
      errors: result.errors,
      otherShare,
    };
  } finally {
    worker.kill();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  const started = Date.now();
  const loadAtStart = loadavg()[0]!.toFixed(2);
  const { supergraphSdl, supergraphFile, query } = await startBenchSupergraph();

  const gateways: RunningGateway[] = [];
  for (const name of chosen) gateways.push(await startGateway(name, supergraphSdl, supergraphFile));

  // every gateway must give the reference answer (computed without gateways) before anything is timed;
  // under load, each response must contain its data verbatim
  const reference = JSON.parse(JSON.stringify(await referenceAnswer(query))) as { data?: unknown; errors?: unknown };
  if (!reference.data || reference.errors) throw new Error(`the reference answer failed: ${JSON.stringify(reference.errors)}`);
  const expected = JSON.stringify(reference.data);
  const answers = await Promise.all(gateways.map((g) => answer(g.url, g.headers, query)));
  answers.forEach((one, i) => {
    if (!isDeepStrictEqual(one, reference))
      throw new Error(`${gateways[i]!.name} answers differently: ${JSON.stringify(one).slice(0, 500)}`);
  });
  const size = Buffer.byteLength(JSON.stringify(reference));
  console.log(
    `every gateway gives the reference answer (${Math.round(size / 1024)} KB); ${ROUNDS} rounds of ${SECONDS} s at ${CONNECTIONS} connections`,
  );

  const rounds: Round[][] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = gateways.map((_, i) => gateways[(i + r) % gateways.length]!);
    const results: Round[] = [];
    for (const gateway of order) {
      const result = await measure(gateway, query, expected);
      console.log(
        `round ${r + 1} ${gateway.name}: ${Math.round(result.rps)} req/s, p50 ${ms(result.p50)} ms, p99 ${ms(result.p99)} ms, ` +
          `${ms(result.cpuMsPerRequest, 2)} ms CPU/request, ${result.errors} failed, other processes ${Math.round(result.otherShare * 100)}% of the machine`,
      );
      results.push(result);
    }
    rounds.push(results);
  }

  const machine = machineInfo();
  // which gateway code "ours" ran: the commit, and whether tracked files of gateway/ had changes not yet committed
  const git = (...args: string[]) => execFileSync('git', args, { cwd: benchDir, encoding: 'utf8' }).trim();
  const commit = `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no', '--', '../gateway') ? ' + uncommitted gateway changes' : ''}`;
  const rowOf = (name: Name) => rounds.map((round) => round.find((x) => x.name === name)!);
  const lines = [
    `Measured on ${new Date().toISOString()} (took ${Math.round((Date.now() - started) / 1000)} s) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, our gateway at ${commit}; load average ${loadAtStart} at the start, at the end ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' / ')}.`,
    `${ROUNDS} interleaved rounds of ${SECONDS} s (after 2 s warm-up) at ${CONNECTIONS} connections, closed loop, keep-alive; the nested query (${Math.round(size / 1024)} KB answer); every response checked against a reference answer computed without any gateway (data verbatim, no errors), failures counted; medians of the rounds.`,
    `The gateway shares the machine with the four subgraphs and the load generator (one process each): requests/s and latency say what the whole machine delivers through each gateway, CPU ms per request what the gateway itself costs.`,
    '',
    '| gateway | requests/s | p50 ms | p99 ms | gateway CPU ms/request | failed responses |',
    '|---|---:|---:|---:|---:|---:|',
    ...chosen.map((name) => {
      const row = rowOf(name);
      return `| ${LABELS[name]} | ${Math.round(median(row.map((x) => x.rps)))} | ${ms(median(row.map((x) => x.p50)))} | ${ms(median(row.map((x) => x.p99)))} | ${ms(median(row.map((x) => x.cpuMsPerRequest)), 2)} | ${row.reduce((n, x) => n + x.errors, 0)} |`;
    }),
  ];
  const busiest = Math.max(...rounds.flat().map((x) => x.otherShare));
  lines.splice(3, 0, `Processes outside the benchmark took at most ${Math.round(busiest * 100)}% of the machine during a round.`);
  if (chosen.includes('ours') && chosen.length > 1) {
    const others = chosen.filter((name) => name !== 'ours');
    lines.push(
      '',
      `| round | ${others.map((name) => `ours / ${name} (requests/s)`).join(' | ')} |`,
      `|---|${others.map(() => '---:').join('|')}|`,
    );
    rounds.forEach((round, r) => {
      const ours = round.find((x) => x.name === 'ours')!.rps;
      lines.push(
        `| ${r + 1} | ${others.map((name) => `${(ours / round.find((x) => x.name === name)!.rps).toFixed(2)}×`).join(' | ')} |`,
      );
    });
  }
  const section = lines.join('\n');
  console.log(`\n${section}`);
  if (chosen.length === NAMES.length && ROUNDS >= 3) writeResultsSection('gateways', section);
  else console.log('(a partial run: bench/RESULTS.md is left as it is)');
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(stopAll);
