import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { GraphQLResponse } from './test-platform';

/** The platform in a child process (support/crash-child.ts): a real process a test can SIGKILL. */
export interface ChildPlatform {
  child: ChildProcess;
  url: string;
  /** POSTs a GraphQL request with the development credential */
  request<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** runs a request that must succeed and returns its data */
  data<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** a read-only query on one subgraph's database, run by the child */
  query<T = Record<string, unknown>>(subgraph: string, sql: string): Promise<T[]>;
  /** kill -9: no shutdown of any kind */
  kill(): Promise<void>;
  /** a clean stop (SIGTERM-like: in-flight work finishes, databases close) */
  stop(): Promise<void>;
}

const CHILD = join(__dirname, 'crash-child.ts');
const ROOT = join(__dirname, '..', '..', '..');
const DEV_TOKEN = 'eventgraph-dev-token';

/** Every child this module started and that has not exited, so a failing test can still kill them all. */
export const liveChildren = new Set<ChildProcess>();

export async function startChildPlatform(env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<ChildPlatform> {
  const child = fork(CHILD, [], {
    cwd: ROOT,
    env: { ...env, NODE_OPTIONS: '', EVENTGRAPH_DEV_TOKEN: DEV_TOKEN },
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  liveChildren.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => liveChildren.delete(child));

  const waiting = new Map<number, { resolve(rows: unknown[]): void; reject(err: Error): void }>();
  let nextId = 1;
  let url: string | undefined;
  child.on('message', (message: { ready?: boolean; url?: string; id?: number; rows?: unknown[]; error?: string }) => {
    if (message.ready) url = message.url;
    const call = message.id === undefined ? undefined : waiting.get(message.id);
    if (!call) return;
    waiting.delete(message.id!);
    if (message.error) call.reject(new Error(message.error));
    else call.resolve(message.rows!);
  });
  void exited.then(() => waiting.forEach((call) => call.reject(new Error('the platform process exited'))));

  const deadline = Date.now() + timeoutMs;
  while (!url) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the platform process exited:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the platform did not start within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const request = async <T>(query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${DEV_TOKEN}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  };
  return {
    child,
    url,
    request,
    async data<T>(query: string, variables?: Record<string, unknown>) {
      const body = await request<T>(query, variables);
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data as T;
    },
    query: <T>(subgraph: string, sql: string) =>
      new Promise<T[]>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve: resolve as (rows: unknown[]) => void, reject });
        child.send({ id, subgraph, sql });
      }),
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.send({ stop: true });
      await exited;
    },
  };
}
