/** Real subgraphs (HTTP + graphql-ws), a gateway HTTP server with the ws adapter, and client helpers. */
import { EventEmitter, on } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { execute, parse, type DocumentNode, type ExecutionResult } from 'graphql';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import WebSocket, { WebSocketServer } from 'ws';
import { createSubscriptionEngine, staticUpstreamAuth, type SubscriptionEngine } from '../../src/subscriptions/engine';
import { serveGraphQLOverWebSocket } from '../../src/subscriptions/ws-adapter';

export const PRINCIPAL = 'x-eventgraph-principal';
const PATH = '/graphql';

const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';
const typeDefs: Record<'a' | 'b' | 'c', DocumentNode> = {
  a: parse(`${link}
    type Query { checkIn(id: ID!): CheckIn }
    type Subscription { checkInRecorded(seriesId: ID): CheckIn countdown(from: Int!): Int! }
    type CheckIn { id: ID! at: String series: EventSeries }
    type EventSeries @key(fields: "id") { id: ID! event: Event }
    type Event @key(fields: "id", resolvable: false) { id: ID! }`),
  b: parse(`${link}
    type Event @key(fields: "id") { id: ID! title: String organization: Organization }
    type Organization @key(fields: "id", resolvable: false) { id: ID! }`),
  c: parse(`${link}
    type Organization @key(fields: "id") { id: ID! name: String }`),
};

export function composeSupergraph(): string {
  const result = composeServices(Object.entries(typeDefs).map(([name, doc]) => ({ name, typeDefs: doc })));
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

export interface CheckIn {
  id: string;
  at?: string;
  seriesId: string;
}

export interface RunningSubgraph {
  url: string;
  /** principals received as HTTP headers or connection_init payload keys */
  principals: Set<string>;
  httpRequests: number;
  /** stops abruptly, like a crashed process: sockets are destroyed, not closed politely */
  kill(): Promise<void>;
}

async function startSubgraph(name: keyof typeof typeDefs, resolvers: GraphQLResolverMap<unknown>): Promise<RunningSubgraph> {
  const schema = buildSubgraphSchema({ typeDefs: typeDefs[name], resolvers });
  const principals = new Set<string>();
  const server = createServer(async (req, res) => {
    running.httpRequests++;
    const principal = req.headers[PRINCIPAL];
    const body = JSON.parse(await readBody(req)) as {
      query: string;
      variables?: Record<string, unknown>;
      operationName?: string;
    };
    let result: ExecutionResult;
    if (typeof principal !== 'string') {
      res.statusCode = 401;
      result = { errors: [{ message: `missing ${PRINCIPAL}` } as never] };
    } else {
      principals.add(principal);
      result = await execute({
        schema,
        document: parse(body.query),
        variableValues: body.variables,
        operationName: body.operationName,
      });
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(result));
  });
  const wss = new WebSocketServer({ server, path: PATH });
  useServer<Record<string, unknown>>(
    {
      schema,
      onConnect: ({ connectionParams }) => {
        const principal = connectionParams?.[PRINCIPAL];
        if (typeof principal !== 'string') return false;
        principals.add(principal);
        return true;
      },
    },
    wss,
  );
  const url = `http://127.0.0.1:${await listen(server)}${PATH}`;
  const running: RunningSubgraph = {
    url,
    principals,
    httpRequests: 0,
    async kill() {
      wss.clients.forEach((ws) => ws.terminate());
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return running;
}

/** Three subgraphs: `a` owns the subscription and publishes check-ins on demand. */
export async function startSubgraphs() {
  const checkIns = new EventEmitter();
  const a = await startSubgraph('a', {
    Subscription: {
      checkInRecorded: {
        // node's events.on iterator: its return() detaches at once, so listenerCount = live subscriptions
        subscribe: () => on(checkIns, 'checkIn'),
        resolve: ([checkIn]: CheckIn[]) => checkIn,
      },
      countdown: {
        // completes on its own; a negative start fails the subgraph resolver
        subscribe: async function* (_: unknown, { from }: { from: number }) {
          for (let n = from; n > 0; n--) yield { countdown: n };
          if (from < 0) yield { countdown: null };
        },
      },
    },
    CheckIn: { series: (c: CheckIn) => ({ id: c.seriesId }) },
    EventSeries: { event: (s: { id: string }) => ({ id: `e-${s.id}` }) },
  });
  const b = await startSubgraph('b', {
    Event: { __resolveReference: ({ id }: { id: string }) => ({ id, title: `Title ${id}`, organization: { id: 'o1' } }) },
  });
  const c = await startSubgraph('c', {
    Organization: { __resolveReference: ({ id }: { id: string }) => ({ id, name: `Org ${id}` }) },
  });
  return {
    a,
    b,
    c,
    publish: (checkIn: CheckIn) => checkIns.emit('checkIn', checkIn),
    /** subscriptions currently open on subgraph a */
    liveSubscriptions: () => checkIns.listenerCount('checkIn'),
    killAll: () => Promise.all([a, b, c].map((s) => s.kill())),
  };
}

export type Subgraphs = Awaited<ReturnType<typeof startSubgraphs>>;

/** The gateway side: engine + graphql-ws adapter on a plain HTTP server that also serves other paths. */
export async function startGateway(subgraphs: Subgraphs) {
  const engine: SubscriptionEngine = createSubscriptionEngine({
    supergraphSdl: composeSupergraph(),
    subgraphUrl: (name) => subgraphs[name as 'a' | 'b' | 'c'].url,
  });
  let attached = 0;
  const server: Server = createServer((_req, res) => res.end('ok'));
  const adapter = serveGraphQLOverWebSocket({
    server,
    path: PATH,
    // counts streams handed out, so tests can wait until a client is attached to its upstream
    engine: {
      ...engine,
      subscribe: async (args) => {
        const result = await engine.subscribe(args);
        if (Symbol.asyncIterator in result) attached++;
        return result;
      },
    },
    authenticate: async (params) => {
      if (typeof params?.token !== 'string') throw new Error('no token');
      return staticUpstreamAuth({ [PRINCIPAL]: `signed:${params.token}` });
    },
  });
  const url = `ws://127.0.0.1:${await listen(server)}${PATH}`;
  const clients: Client[] = [];
  return {
    engine,
    server,
    url,
    /** streams handed out by the engine so far */
    attached: () => attached,
    connect(token: string | undefined = 'alice'): Client {
      const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: token ? { token } : {} });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.dispose()));
      await adapter.close();
      await engine.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface Recording {
  results: FormattedExecutionResult<Record<string, unknown>, unknown>[];
  /** settles when the server ends the stream: `error` is set for an `error` message or a closed socket */
  ended: Promise<{ error?: unknown }>;
  unsubscribe(): void;
}

export function record(client: Client, query: string, variables?: Record<string, unknown>): Recording {
  const results: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
  let unsubscribe = (): void => {};
  const ended = new Promise<{ error?: unknown }>((resolve) => {
    unsubscribe = client.subscribe(
      { query, variables },
      { next: (r) => results.push(r), error: (error) => resolve({ error }), complete: () => resolve({}) },
    );
  });
  return { results, ended, unsubscribe };
}

/** Polls until `check` holds; fails the test after `timeoutMs` instead of hanging. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function within<T>(promise: Promise<T>, what: string, timeoutMs = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}
