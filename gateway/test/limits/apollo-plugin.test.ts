import { ApolloServer } from '@apollo/server';
import { formatClientError } from '@eventgraph/runtime';
import type { GraphQLFormattedError } from 'graphql';
import { limitsParseOptions, operationLimitsPlugin, type OperationLimits } from '../../src/limits';
import { nestedParents, resolvers, typeDefs } from './fixtures';

const LIMITS: Partial<OperationLimits> = { maxTokens: 200, maxDepth: 6, maxAliases: 3, maxDirectives: 4, maxCost: 200 };

async function startServer(options: { parseOptions: boolean; plugin: boolean }) {
  const server = new ApolloServer({
    typeDefs,
    resolvers,
    // as in the gateway: errors without a client-safe code would be masked as INTERNAL_SERVER_ERROR
    formatError: (formatted, error) => formatClientError(formatted, error),
    parseOptions: options.parseOptions ? limitsParseOptions(LIMITS) : undefined,
    plugins: options.plugin ? [operationLimitsPlugin(LIMITS)] : [],
  });
  await server.start();
  return server;
}

async function run(server: ApolloServer, query: string, variables?: Record<string, unknown>) {
  const response = await server.executeOperation({ query, variables });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  const { data, errors } = response.body.singleResult;
  return { status: response.http.status ?? 200, data, errors: errors as GraphQLFormattedError[] | undefined };
}

describe('operationLimitsPlugin on Apollo Server', () => {
  let limited: ApolloServer;
  let unlimited: ApolloServer;
  let pluginOnly: ApolloServer;
  beforeAll(async () => {
    limited = await startServer({ parseOptions: true, plugin: true });
    unlimited = await startServer({ parseOptions: false, plugin: false });
    pluginOnly = await startServer({ parseOptions: false, plugin: true });
  });
  afterAll(async () => {
    await Promise.all([limited?.stop(), unlimited?.stop(), pluginOnly?.stop()]);
  });

  it('lets operations within the limits through unchanged', async () => {
    const query = `
      query Orgs($n: Int) {
        organizations(first: $n) { id name tags events(first: 2) { id title series { name } } }
        first: organization(id: "o9") { name @include(if: true) }
      }`;
    const result = await run(limited, query, { n: 2 });
    expect(result.errors).toBeUndefined();
    expect(result.status).toBe(200);
    expect(result).toEqual(await run(unlimited, query, { n: 2 }));
    expect(result.data?.organizations).toHaveLength(2);
  });

  it.each([
    ['TOO_MANY_TOKENS', `{ organization(id: "o1") { ${'id '.repeat(200)} } }`, { limit: 200 }],
    ['OPERATION_TOO_DEEP', nestedParents(7), { depth: 7, limit: 6 }],
    ['TOO_MANY_ALIASES', '{ organization(id: "o1") { a: id b: id c: id d: id } }', { aliases: 4, limit: 3 }],
    ['TOO_MANY_DIRECTIVES', `{ organization(id: "o1") { ${'id @skip(if: false) '.repeat(5)} } }`, { directives: 5, limit: 4 }],
    // 1 + 20 × (1 + 1 + 10 × 1): events falls back to its schema default, 10
    ['OPERATION_TOO_COSTLY', '{ organizations(first: 20) { id events { id } } }', { cost: 241, limit: 200 }],
  ])('refuses %s with HTTP 400 before execution', async (code, query, extensions) => {
    const result = await run(limited, query);
    expect(result.status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions).toEqual({ ...extensions, code });
  });

  it('codes the token limit even when Apollo parses without maxTokens (refused after validation instead)', async () => {
    const result = await run(pluginOnly, `{ organization(id: "o1") { ${'id '.repeat(200)} } }`);
    expect(result.status).toBe(400);
    expect(result.errors![0]!.extensions).toEqual({ code: 'TOO_MANY_TOKENS', limit: 200 });
  });

  it('leaves other syntax errors to Apollo', async () => {
    const result = await run(limited, '{ organization(id: ');
    expect(result.status).toBe(400);
    expect(result.errors![0]!.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('sizes lists from the request variables', async () => {
    const query = 'query ($n: Int) { organizations(first: $n) { id } }';
    expect((await run(limited, query, { n: 199 })).status).toBe(200);
    const refused = await run(limited, query, { n: 200 });
    expect(refused.errors![0]!.extensions).toEqual({ code: 'OPERATION_TOO_COSTLY', cost: 201, limit: 200 });
  });
});
