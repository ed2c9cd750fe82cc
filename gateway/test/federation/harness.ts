/**
 * Federation conformance harness: small fixture subgraphs (buildSubgraphSchema on node:http, 127.0.0.1,
 * ephemeral ports), composed with the project's compose helper, behind a gateway under test. The gateway
 * is a parameter (`GatewayKind`), so every case runs against stock @apollo/gateway and against ours.
 */
import { createServer, type Server } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { execute, parse, type ExecutionResult } from 'graphql';
import pino from 'pino';
import { closeGracefully, createLogger, listen, readBody, type Logger } from '@eventgraph/runtime';
import { composeSupergraph } from '../../src/compose';
import { startGateway } from '../../src/gateway';

export const FEDERATION_LINK = (imports: string[]) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ${JSON.stringify(imports)})`;

export interface FixtureSubgraph {
  name: string;
  sdl: string;
  resolvers: GraphQLResolverMap<unknown>;
}

export interface RunningSubgraph {
  name: string;
  url: string;
  /** every operation the gateway sent, with its variables, in order */
  received: Array<{ query: string; variables?: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/** One fixture subgraph over HTTP: JSON in, the subgraph's execution result out (200, errors included). */
export async function startSubgraph({ name, sdl, resolvers }: FixtureSubgraph): Promise<RunningSubgraph> {
  const schema = buildSubgraphSchema({ typeDefs: parse(sdl), resolvers });
  const received: RunningSubgraph['received'] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = JSON.parse(await readBody(req)) as { query: string; variables?: Record<string, unknown> };
      received.push({ query: body.query, variables: body.variables });
      const result: ExecutionResult = await execute({ schema, document: parse(body.query), variableValues: body.variables });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(result));
    })();
  });
  const port = await listen(server, 0, '127.0.0.1');
  return { name, url: `http://127.0.0.1:${port}/graphql`, received, stop: () => closeGracefully(server, 100) };
}

/** What a test sees of a gateway: a POST /graphql with JSON, the JSON answer. */
export interface GatewayUnderTest {
  query(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse>;
  stop(): Promise<void>;
}

export interface GraphQLResponse {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export interface GatewayKind {
  /** short name used to mark the cases this kind is known to get wrong */
  id: 'stock' | 'eventgraph';
  name: string;
  start(supergraphSdl: string, logger: Logger): Promise<GatewayUnderTest>;
}

const DEV_TOKEN = 'federation-conformance-token';

async function post(url: string, query: string, variables?: Record<string, unknown>, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as Omit<GraphQLResponse, 'status'>) };
}

/** Apollo's own: ApolloGateway (its planner and executor) behind Apollo Server's standalone HTTP server. */
export const stockGateway: GatewayKind = {
  id: 'stock',
  name: 'stock @apollo/gateway',
  async start(supergraphSdl, logger) {
    const gateway = new ApolloGateway({
      supergraphSdl,
      logger,
      buildService: ({ url }) => new RemoteGraphQLDataSource({ url }),
    });
    const server = new ApolloServer({ gateway, logger, includeStacktraceInErrorResponses: false });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
    return { query: (q, v) => post(url, q, v), stop: () => server.stop() };
  },
};

/** Ours: the platform's startGateway (Apollo Server in front of the Eventgraph executor). */
export const eventgraphGateway: GatewayKind = {
  id: 'eventgraph',
  name: 'eventgraph startGateway',
  async start(supergraphSdl, logger) {
    const gateway = await startGateway({
      supergraphSdl,
      port: 0,
      principalSecret: 'federation-conformance-principal-secret',
      jwtSecret: 'federation-conformance-jwt-secret',
      devToken: DEV_TOKEN,
      publishedDocuments: new Map(),
      connectionRevalidationMs: 0,
      logger,
    });
    return { query: (q, v) => post(gateway.url, q, v, DEV_TOKEN), stop: () => gateway.stop() };
  },
};

export const GATEWAY_KINDS = [stockGateway, eventgraphGateway];

/**
 * A conformance case: it asserts the spec's answer for every kind. For a kind in `wrongIn` the case runs
 * as `it.failing` (green while that kind is wrong, red once it is fixed: then drop the kind from the list),
 * and its title says so. FEDERATION_STRICT=1 runs every case as a plain `it`, to see the actual failures.
 */
export function specCase(kind: GatewayKind, wrongIn: ReadonlyArray<GatewayKind['id']>) {
  const knownWrong = wrongIn.includes(kind.id) && !process.env.FEDERATION_STRICT;
  return (title: string, fn: () => Promise<void>) =>
    knownWrong ? it.failing(`KNOWN WRONG in ${kind.id}: ${title}`, fn) : it(title, fn);
}

/** Composes fixture subgraphs at their running URLs; a fixture that does not compose is a bug in the test. */
export function composeFixture(subgraphs: Array<Pick<FixtureSubgraph, 'name' | 'sdl'> & { url: string }>): string {
  const result = composeSupergraph(subgraphs);
  if (!result.ok) throw new Error(`fixture does not compose:\n${result.errors.join('\n')}`);
  return result.supergraphSdl;
}

/** Logs kept in memory, to assert what operators are told (pino's level names, objects and messages). */
export function recordingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  return { logger: pino({ level: 'debug' }, destination), lines };
}

/** Starts the fixture's subgraphs and the gateway of `kind` in front of them. */
export async function startFederation(kind: GatewayKind, fixture: FixtureSubgraph[], logger?: Logger) {
  const subgraphs = await Promise.all(fixture.map(startSubgraph));
  const supergraphSdl = composeFixture(fixture.map((f, i) => ({ ...f, url: subgraphs[i]!.url })));
  const gateway = await kind.start(supergraphSdl, logger ?? createLogger('gateway', 'silent'));
  return {
    gateway,
    supergraphSdl,
    subgraph: (name: string) => subgraphs.find((s) => s.name === name)!,
    async stop() {
      await gateway.stop();
      await Promise.all(subgraphs.map((s) => s.stop()));
    },
  };
}
export type Federation = Awaited<ReturnType<typeof startFederation>>;
