import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { CallerPolicies, RateLimiter } from '@eventgraph/gateway/src/rate-limit';
import { loadGatewaySettings } from '@eventgraph/gateway/src/settings';
import { connectNatsTransport, dropSchemas, runSubgraph, type DatabaseLocation } from '@eventgraph/runtime';
import { startPlatform, type RunningPlatform } from '../../src/platform';
import { SUBGRAPHS } from '../../src/subgraphs';

/**
 * The real platform for a test file: four subgraphs and the gateway on
 * ephemeral ports. On PGlite (in memory) by default; with DATABASE_URL, on the
 * PostgreSQL server in schemas of its own that are dropped afterwards.
 */
export interface TestPlatform extends RunningPlatform {
  devToken: string;
  settings: ReturnType<typeof loadGatewaySettings>;
  /** POSTs a GraphQL request to the gateway; `token: null` sends no credential */
  request<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: GraphQLResponse<T> }>;
  /** runs a request that must succeed and returns its data */
  data<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  wsClient(connectionParams?: Record<string, unknown>): Client;
  /** stops a subgraph; the returned function starts it again on the same port and database */
  takeDown(subgraph: string): Promise<() => Promise<void>>;
}

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }>;
}

export interface TestPlatformOptions {
  /** PGlite only (no DATABASE_URL): keep the databases in this directory instead of memory, so takeDown/restart keeps the data */
  embeddedDataDir?: string;
  /** the gateway's rate-limit buckets per kind of caller */
  callerPolicies?: CallerPolicies;
  /** settings to set for this platform only (e.g. NODE_ENV: 'production', EVENTGRAPH_INTROSPECTION) */
  env?: Record<string, string>;
  /** the gateway's rate-limit store (e.g. Redis, to share it with another gateway) */
  rateLimiter?: () => RateLimiter;
}

export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const prefix = `t${randomBytes(4).toString('hex')}_`;
  // on NATS, a stream and subjects of its own (deleted at stop): test files run side by side, and one file's
  // consumers must not see another's events
  const ownStream = { NATS_STREAM: `EG_${prefix}`, NATS_SUBJECT_PREFIX: `eg${prefix}` };
  const settings = loadGatewaySettings({
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...ownStream,
    ...options.env,
  });
  const database = (name: string): DatabaseLocation =>
    settings.DATABASE_URL
      ? { kind: 'server', url: settings.DATABASE_URL, schema: `${prefix}${name}` }
      : { kind: 'embedded', dataDir: options.embeddedDataDir ?? 'memory' };
  const platform = await startPlatform({
    settings,
    ephemeralPorts: true,
    database,
    callerPolicies: options.callerPolicies,
    rateLimiter: options.rateLimiter?.(),
  });
  const clients: Client[] = [];
  const devToken = settings.EVENTGRAPH_DEV_TOKEN!;

  const request: TestPlatform['request'] = async (query, variables, options = {}) => {
    const token = options.token === undefined ? devToken : options.token;
    const response = await fetch(platform.gateway.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GraphQLResponse<never> };
  };

  return {
    ...platform,
    // the running gateway, also after stopGateway() and its restart
    get gateway() {
      return platform.gateway;
    },
    settings,
    devToken,
    request,
    async data(query, variables) {
      const { body } = await request(query, variables);
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data as never;
    },
    wsClient(connectionParams = { authorization: `Bearer ${devToken}` }) {
      const client = createClient({
        url: platform.gateway.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams,
      });
      clients.push(client);
      return client;
    },
    async takeDown(name) {
      const running = platform.subgraphs[name]!;
      await running.stop();
      const { definition } = SUBGRAPHS.find((s) => s.definition.name === name)!;
      return async () => {
        platform.subgraphs[name] = (await runSubgraph(definition as never, {
          settings,
          bus: platform.bus,
          port: running.port,
          database: database(name),
        })) as never;
      };
    },
    async stop() {
      await Promise.all(clients.map((c) => c.dispose()));
      await platform.stop();
      if (settings.DATABASE_URL) await dropSchemas(settings.DATABASE_URL, prefix);
      if (settings.EVENTGRAPH_BUS === 'nats' && settings.NATS_STREAM === ownStream.NATS_STREAM) await deleteStream(settings);
    },
  };
}

/** Collects what a subscription delivers, with a bounded wait for the next result. */
export function subscribe<T = Record<string, any>>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: GraphQLResponse<T>[] = [];
  const waiters: Array<() => void> = [];
  let error: unknown;
  let completed = false;
  const notify = () => waiters.splice(0).forEach((w) => w());
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (r) => {
        results.push(r as GraphQLResponse<T>);
        notify();
      },
      error: (e) => {
        error = e;
        notify();
      },
      complete: () => {
        completed = true;
        notify();
      },
    },
  );
  return {
    results,
    get error() {
      return error;
    },
    get completed() {
      return completed;
    },
    unsubscribe,
    /** waits until `count` results arrived (or the stream ended), at most `timeoutMs` */
    async next(count = results.length + 1, timeoutMs = 5000): Promise<GraphQLResponse<T>> {
      const deadline = Date.now() + timeoutMs;
      while (results.length < count && !completed && !error) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no subscription result within ${timeoutMs}ms (have ${results.length})`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      if (results.length < count) throw new Error(`subscription ended: ${JSON.stringify(error ?? 'complete')}`);
      return results[count - 1]!;
    },
  };
}

async function deleteStream(settings: { NATS_URL: string; NATS_STREAM: string; NATS_SUBJECT_PREFIX: string }) {
  const bus = await connectNatsTransport({
    url: settings.NATS_URL,
    stream: settings.NATS_STREAM,
    subjectPrefix: settings.NATS_SUBJECT_PREFIX,
  });
  await (await bus.connection.jetstreamManager()).streams.delete(settings.NATS_STREAM).catch(() => false);
  await bus.close();
}
