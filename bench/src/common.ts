import { randomBytes } from 'node:crypto';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { connect } from 'nats';
import type { CallerPolicies } from '@eventgraph/gateway/src/rate-limit';
import { loadGatewaySettings } from '@eventgraph/gateway/src/settings';
import { connectNatsTransport, dropSchemas, type BusTransport, type DatabaseLocation, type Principal } from '@eventgraph/runtime';
import { startPlatform, type RunningPlatform } from '@eventgraph/platform/src/platform';

export const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const BENCH_DB = process.env.BENCH_DATABASE ?? 'eventgraph_bench';
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** The principal the gateway forwards for the development token (gateway/src/auth.ts). */
export const DEV_PRINCIPAL: Principal = { kind: 'service', id: 'development', memberships: [], scopes: ['*'] };

export const benchDir = join(__dirname, '..');

export function benchDatabaseUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${BENCH_DB}`;
  return url.toString();
}

/** Creates the benchmark database once; everything else lives in schemas dropped after each run. */
export async function ensureBenchDatabase(): Promise<void> {
  const admin = new Pool({ connectionString: ADMIN_URL, max: 1 });
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DB]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${BENCH_DB}"`);
  } finally {
    await admin.end();
  }
}

export async function postgresVersion(): Promise<string> {
  const pool = new Pool({ connectionString: ADMIN_URL, max: 1 });
  try {
    const { rows } = await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return rows[0]?.v ?? 'unknown';
  } finally {
    await pool.end();
  }
}

export interface BenchPlatform extends RunningPlatform {
  settings: ReturnType<typeof loadGatewaySettings>;
  devToken: string;
  /** a GraphQL request through the gateway that must succeed */
  data<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  busKind: 'memory' | 'nats';
}

/**
 * The whole platform in this process on the PostgreSQL server, each subgraph in a schema of its
 * own (dropped on stop). With `bus: 'nats'`, a JetStream stream of its own (in memory, deleted on stop)
 * so nothing collides with other users of the NATS server. `callerPolicies` replaces the gateway's
 * per-caller rate limits (the defaults refuse a benchmark's anonymous and user callers within seconds).
 */
export async function startBenchPlatform(
  busKind: 'memory' | 'nats' = 'memory',
  extra: { callerPolicies?: CallerPolicies } = {},
): Promise<BenchPlatform> {
  await ensureBenchDatabase();
  const url = benchDatabaseUrl();
  const settings = loadGatewaySettings({
    DATABASE_URL: url,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    NODE_ENV: 'test',
    EVENTGRAPH_BUS: busKind,
  });
  const tag = randomBytes(3).toString('hex');
  const prefix = `b${tag}_`;
  const database = (name: string): DatabaseLocation => ({ kind: 'server', url, schema: `${prefix}${name}` });
  let bus: BusTransport | undefined;
  const stream = `EVENTGRAPH_BENCH_${tag}`;
  if (busKind === 'nats') {
    bus = await connectNatsTransport({
      url: NATS_URL,
      stream,
      subjectPrefix: `eventgraphbench${tag}`,
      storage: 'memory',
      name: 'eventgraph-bench',
    });
  }
  let platform: RunningPlatform;
  try {
    platform = await startPlatform({ settings, ephemeralPorts: true, database, bus, callerPolicies: extra.callerPolicies });
  } catch (err) {
    await bus?.close();
    if (busKind === 'nats') await deleteStream(stream);
    await dropSchemas(url, prefix);
    throw err;
  }
  const devToken = settings.EVENTGRAPH_DEV_TOKEN;
  if (!devToken) throw new Error('the benchmarks act with the development credential: do not set EVENTGRAPH_DEV_TOKEN=off');
  return {
    ...platform,
    settings,
    devToken,
    busKind,
    async data(query, variables) {
      const response = await fetch(platform.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${devToken}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
      if (!response.ok || body.errors?.length)
        throw new Error(`GraphQL request failed (${response.status}): ${JSON.stringify(body.errors ?? body)}`);
      return body.data as never;
    },
    async stop() {
      await platform.stop();
      if (bus) {
        await bus.close();
        await deleteStream(stream);
      }
      await dropSchemas(url, prefix);
    },
  };
}

async function deleteStream(stream: string) {
  const nc = await connect({ servers: NATS_URL, name: 'eventgraph-bench-cleanup' });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}

/** An organisation with its owner and one venue. */
export async function seedOrganization(platform: BenchPlatform, tag: string) {
  const { createUser: user } = await platform.data<{ createUser: { id: string } }>(
    `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`,
    { input: { email: `bench-owner-${tag}@example.com`, displayName: 'Bench Owner' } },
  );
  const { createOrganization: org } = await platform.data<{ createOrganization: { id: string; name: string } }>(
    `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id name } }`,
    { input: { name: `Bench Festival ${tag}`, slug: `bench-festival-${tag}`, ownerId: user.id } },
  );
  const { createVenue: venue } = await platform.data<{ createVenue: { id: string } }>(
    `mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`,
    {
      input: {
        organizationId: org.id,
        name: 'Bench Arena',
        slug: `bench-arena-${tag}`,
        timeZone: 'Europe/Berlin',
        city: 'Berlin',
      },
    },
  );
  return { user, org, venue };
}

export async function createEvent(platform: BenchPlatform, venueId: string, title: string, slug: string): Promise<string> {
  const { createEvent } = await platform.data<{ createEvent: { id: string } }>(
    `mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`,
    { input: { venueId, title, slug, startsAt: '2027-07-01T14:00:00Z', endsAt: '2027-07-03T23:00:00Z' } },
  );
  return createEvent.id;
}

// ---------------------------------------------------------------- statistics

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Exact percentiles (nearest rank) over recorded latencies in ms. */
export function summarize(latencies: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  const n = sorted.length;
  const at = (q: number) => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!);
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: n, mean: n ? sum / n : NaN, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: n ? sorted[n - 1]! : NaN };
}

export const ms = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

export function machineInfo() {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
  };
}

/** CPU a process has used so far (ms), from /proc; null where there is none (or the process ended). */
export function processCpuMs(pid: number | string): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // pid (comm) state ppid … utime stime: fields 14 and 15, counted after the closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ is 100 on Linux
}

/** CPU the local PostgreSQL server's processes have used so far (ms), from /proc; null where there is no /proc. */
export function postgresCpuMs(): number | null {
  let total = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const comm = (() => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          return ''; // ended meanwhile
        }
      })();
      if (comm === 'postgres') total += processCpuMs(pid) ?? 0;
    }
  } catch {
    return null;
  }
  return total;
}

/** Replaces the block between `<!-- name -->` and `<!-- /name -->` in bench/RESULTS.md with `section` (markers included). */
export function writeResultsSection(name: string, section: string): void {
  const [start, end] = [`<!-- ${name} -->`, `<!-- /${name} -->`];
  const file = join(benchDir, 'RESULTS.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = text.indexOf(start);
  const to = text.indexOf(end);
  if (at >= 0 && to > at) writeFileSync(file, text.slice(0, at) + `${start}\n${section}\n${end}` + text.slice(to + end.length));
  else writeFileSync(file, `${text.trimEnd()}\n\n${start}\n${section}\n${end}\n`);
}

/** The block of bench/RESULTS.md from `<!-- name -->` to `<!-- /name -->`, markers included, as it is now. */
export function readMarkedSection(name: string): string | null {
  const [start, end] = [`<!-- ${name} -->`, `<!-- /${name} -->`];
  const file = join(benchDir, 'RESULTS.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = current.indexOf(start);
  const to = current.indexOf(end);
  return at >= 0 && to > at ? current.slice(at, to + end.length) : null;
}

/** Puts `section` (its own markers included) into RESULTS.md: in place of block `name`, else before the interpretation. */
export function insertMarkedSection(name: string, section: string): void {
  const [start, end] = [`<!-- ${name} -->`, `<!-- /${name} -->`];
  const file = join(benchDir, 'RESULTS.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Eventgraph benchmarks\n';
  const at = current.indexOf(start);
  const to = current.indexOf(end);
  const interpretation = current.indexOf('\n## Interpretation');
  const next =
    at >= 0 && to > at
      ? current.slice(0, at) + section + current.slice(to + end.length)
      : interpretation >= 0
        ? `${current.slice(0, interpretation)}\n${section}\n${current.slice(interpretation)}`
        : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

/** CPU (ms) of a process and every process it started, from /proc (a gateway that forks workers counts whole). */
export function processTreeCpuMs(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  let total = 0;
  const visit = (pid: number) => {
    total += processCpuMs(pid) ?? 0;
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
  return total;
}

// ---------------------------------------------------------------- child processes

/** Starts a TypeScript worker in its own Node process (through tsx), so the load does not share the server's event loop. */
export function forkWorker(file: string): ChildProcess {
  return fork(join(benchDir, 'src', file), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Sends `message` to the worker and resolves with its `result` message; `onMessage` sees every other message. */
export function runWorker<R>(child: ChildProcess, message: unknown, onMessage: (msg: any) => void = () => {}): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const listener = (msg: any) => {
      if (msg?.type === 'result') {
        cleanup();
        resolve(msg.result as R);
      } else if (msg?.type === 'error') {
        cleanup();
        reject(new Error(msg.message));
      } else onMessage(msg);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`worker exited (${code}) before answering`));
    };
    const cleanup = () => {
      child.off('message', listener);
      child.off('exit', onExit);
    };
    child.on('message', listener);
    child.on('exit', onExit);
    child.send(message as never);
  });
}

export const sleep = (millis: number) => new Promise((r) => setTimeout(r, millis));
