import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { connectNatsTransport } from '@eventgraph/runtime';
import { SERVE_COMMAND, SUBGRAPH_ROLES, type Role } from '../../src/roles';
import { startTcpBalancer, type TcpBalancer } from './tcp-balancer';

/*
 * The platform deployed as separate OS processes, the way docker-compose.yml and deploy/kubernetes run it: the
 * role program (`platform/src/serve.ts --role …`, the image's command) for the migrations, N replicas of every
 * subgraph behind a layer-4 balancer each (tcp-balancer.ts, what a Service is), and N gateways — all on a fresh
 * PostgreSQL database of their own, a NATS JetStream stream of their own and the Redis rate-limit store.
 */
const ROOT = join(__dirname, '..', '..', '..');
const KEEP_OUTPUT = 64 * 1024;

export interface ServedProcess {
  role: Role;
  name: string;
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  origin: string;
  exited: Promise<number | null>;
  /** the last 64 KiB it wrote */
  output(): string;
}

export interface Deployment {
  databaseUrl: string;
  devToken: string;
  principalSecret: string;
  gateways: ServedProcess[];
  replicas: Record<(typeof SUBGRAPH_ROLES)[number], ServedProcess[]>;
  balancers: Record<string, TcpBalancer>;
  /** the test's own reads of the deployment's database (tables schema-qualified: "access"."CheckIn") */
  db: Pool;
  /** SIGTERM to every process still running; their exit codes by name */
  stop(): Promise<Record<string, number | null>>;
  /** drops the database and the stream; kills whatever still runs */
  cleanUp(): Promise<void>;
}

/** Every child started here that has not exited: a failing test kills them all (afterAll, or the runner's exit). */
export const liveProcesses = new Set<ChildProcess>();
process.once('exit', () => liveProcesses.forEach((child) => child.kill('SIGKILL')));

export async function startDeployment(options: {
  replicas: number;
  /** the PostgreSQL server's URL (its database is not used: a new one is made beside it) */
  serverUrl: string;
  env?: Record<string, string>;
}): Promise<Deployment> {
  const tag = randomBytes(4).toString('hex');
  const databaseUrl = withDatabase(options.serverUrl, `eg_scaleout_${tag}`);
  await adminQuery(options.serverUrl, `CREATE DATABASE "eg_scaleout_${tag}"`);
  const devToken = `dev-${randomBytes(16).toString('hex')}`;
  const principalSecret = randomBytes(24).toString('hex');
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    EVENTGRAPH_BUS: 'nats',
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    NATS_STREAM: `SCALEOUT_${tag}`,
    NATS_SUBJECT_PREFIX: `scaleout${tag}`,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    EVENTGRAPH_MIGRATIONS: 'wait',
    EVENTGRAPH_PRINCIPAL_SECRET: principalSecret,
    EVENTGRAPH_JWT_SECRET: randomBytes(24).toString('hex'),
    EVENTGRAPH_DEV_TOKEN: devToken,
    INGEST_CREDENTIALS_KEY: randomBytes(32).toString('hex'),
    ...options.env,
  };
  const balancers: Record<string, TcpBalancer> = {};
  const all: ServedProcess[] = [];
  const db = new Pool({ connectionString: databaseUrl, max: 4 });
  const deployment: Deployment = {
    databaseUrl,
    devToken,
    principalSecret,
    gateways: [],
    replicas: { users: [], events: [], access: [], ingest: [] },
    balancers,
    db,
    async stop() {
      const running = all.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
      running.forEach((p) => p.child.kill('SIGTERM'));
      const codes = await Promise.all(running.map((p) => within(p.exited, 20_000).catch(() => 'hung' as const)));
      return Object.fromEntries(running.map((p, i) => [p.name, codes[i] === 'hung' ? null : (codes[i] as number | null)]));
    },
    async cleanUp() {
      liveProcesses.forEach((child) => child.kill('SIGKILL'));
      await Promise.all(all.map((p) => p.exited));
      await Promise.all(Object.values(balancers).map((b) => b.close()));
      await db.end();
      const bus = await connectNatsTransport({
        url: env.NATS_URL,
        stream: env.NATS_STREAM,
        subjectPrefix: env.NATS_SUBJECT_PREFIX,
      });
      await (await bus.connection.jetstreamManager()).streams.delete(env.NATS_STREAM!).catch(() => false);
      await bus.close();
      await adminQuery(options.serverUrl, `DROP DATABASE IF EXISTS "eg_scaleout_${tag}" WITH (FORCE)`);
    },
  };
  try {
    // one process migrates; the replicas below wait for it (EVENTGRAPH_MIGRATIONS=wait) and are started at once
    const migrate = run('migrate', 'migrate', env, all);
    const subgraphs = SUBGRAPH_ROLES.flatMap((role) =>
      Array.from({ length: options.replicas }, (_, i) => run(role, `${role}-${i + 1}`, { ...env, PORT: '0' }, all)),
    );
    const migrated = await within(migrate.exited, 150_000).catch(() => 'too slow');
    if (migrated !== 0) throw new Error(`migrate: ${migrated}:\n${migrate.output()}`);
    for (const role of SUBGRAPH_ROLES) balancers[role] = await startTcpBalancer();
    await Promise.all(
      subgraphs.map(async (p) => {
        await listening(p, /"url":"http:\/\/127\.0\.0\.1:(\d+)\/graphql"[^\n]*subgraph ready/);
        deployment.replicas[p.role as (typeof SUBGRAPH_ROLES)[number]].push(p);
      }),
    );
    for (const role of SUBGRAPH_ROLES) deployment.replicas[role].forEach((p) => balancers[role]!.add(port(p)));
    const urls = Object.fromEntries(SUBGRAPH_ROLES.map((role) => [`SUBGRAPH_URL_${role.toUpperCase()}`, balancers[role]!.url()]));
    const gateways = Array.from({ length: options.replicas }, (_, i) =>
      run('gateway', `gateway-${i + 1}`, { ...env, ...urls, PORT: '0', LOG_LEVEL: 'warn' }, all),
    );
    await Promise.all(gateways.map((gateway) => listening(gateway, /Eventgraph gateway: http:\/\/[^:]+:(\d+)\/graphql/)));
    deployment.gateways = gateways;
    return deployment;
  } catch (err) {
    await deployment.cleanUp();
    throw err;
  }
}

function run(role: Role, name: string, env: Record<string, string>, all: ServedProcess[]): ServedProcess {
  const [, ...args] = SERVE_COMMAND;
  const child = spawn(process.execPath, [...args, '--role', role], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveProcesses.add(child);
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-KEEP_OUTPUT));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      liveProcesses.delete(child);
      resolve(code);
    }),
  );
  const served: ServedProcess = { role, name, child, origin: '', exited, output: () => output };
  all.push(served);
  return served;
}

/** Waits for the line saying the process listens (its port is the pattern's group), then for its /ready. */
async function listening(p: ServedProcess, pattern: RegExp, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(p.output());
    if (match) {
      p.origin = `http://127.0.0.1:${match[1]}`;
      break;
    }
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited ${p.child.exitCode}:\n${p.output()}`);
    if (Date.now() > deadline) throw new Error(`${p.name} did not start within ${timeoutMs} ms:\n${p.output()}`);
    await sleep(100);
  }
  while ((await fetch(`${p.origin}/ready`).catch(() => undefined))?.status !== 200) {
    if (Date.now() > deadline) throw new Error(`${p.name} never became ready:\n${p.output()}`);
    await sleep(200);
  }
}

const port = (p: ServedProcess) => Number(new URL(p.origin).port);

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const pool = new Pool({ connectionString: withDatabase(serverUrl, 'postgres'), max: 1 });
  try {
    await pool.query(sql);
  } finally {
    await pool.end();
  }
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms).unref()),
  ]);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
