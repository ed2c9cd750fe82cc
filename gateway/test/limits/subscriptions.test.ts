import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse, type ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import WebSocket, { WebSocketServer } from 'ws';
import { parseAndCheckOperation, type OperationLimits } from '../../src/limits';
import { schema } from './fixtures';

const LIMITS: Partial<OperationLimits> = { maxTokens: 100, maxDepth: 4, maxCost: 50 };

describe('parseAndCheckOperation', () => {
  it('returns the parsed document when the operation is within the limits', () => {
    const checked = parseAndCheckOperation(schema, { query: 'subscription { eventChanged { id title } }' }, LIMITS);
    expect(checked.errors).toBeUndefined();
    expect(checked.document).toEqual(parse('subscription { eventChanged { id title } }', { noLocation: false }));
  });

  it('returns coded errors for the token limit, syntax errors and the other limits', () => {
    const codeOf = (query: string, variables?: Record<string, unknown>) =>
      parseAndCheckOperation(schema, { query, variables }, LIMITS).errors?.map((e) => e.extensions.code);
    expect(codeOf(`subscription { eventChanged { ${'id '.repeat(100)} } }`)).toEqual(['TOO_MANY_TOKENS']);
    expect(codeOf('subscription { eventChanged { id')).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(codeOf('subscription { eventChanged { organization { parent { parent { id } } } } }')).toEqual(['OPERATION_TOO_DEEP']);
    expect(codeOf('subscription ($n: Int) { eventChanged { organization { events(first: $n) { id } } } }', { n: 100 })).toEqual([
      'OPERATION_TOO_COSTLY',
    ]);
  });
});

/** graphql-ws serving `schema`, with onSubscribe refusing over-limit operations the way the gateway's adapter would. */
describe('over graphql-ws', () => {
  let server: Server;
  let client: Client;
  let dispose: () => Promise<void> | void;
  beforeAll(async () => {
    server = createServer();
    const wss = new WebSocketServer({ server, path: '/graphql' });
    const serverCleanup = useServer(
      {
        schema,
        roots: {
          subscription: {
            eventChanged: async function* () {
              yield { eventChanged: { id: 'e1', title: 'Opening night' } };
            },
          },
        },
        onSubscribe: (_ctx, _id, payload) => {
          const checked = parseAndCheckOperation(schema, payload, LIMITS);
          if (checked.errors) return checked.errors;
          return { schema, document: checked.document, variableValues: payload.variables, operationName: payload.operationName };
        },
      },
      wss,
    );
    dispose = () => serverCleanup.dispose();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = createClient({
      url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
  });
  afterAll(async () => {
    await client?.dispose();
    await dispose?.();
    await new Promise((resolve) => server?.close(resolve));
  });

  const subscribe = (query: string) =>
    new Promise<{ results: ExecutionResult[]; error?: unknown }>((resolve) => {
      const results: ExecutionResult[] = [];
      client.subscribe(
        { query },
        {
          next: (r) => results.push(r as ExecutionResult),
          error: (error) => resolve({ results, error }),
          complete: () => resolve({ results }),
        },
      );
    });

  it('streams operations within the limits', async () => {
    expect(await subscribe('subscription { eventChanged { id title } }')).toEqual({
      results: [{ data: { eventChanged: { id: 'e1', title: 'Opening night' } } }],
    });
  });

  it('answers an over-limit subscription with a coded error message and keeps the socket open', async () => {
    const refused = await subscribe('subscription { eventChanged { organization { parent { parent { id } } } } }');
    expect(refused.results).toEqual([]);
    expect(refused.error).toEqual([
      {
        message: 'The operation is 5 levels deep, above the limit of 4',
        extensions: { code: 'OPERATION_TOO_DEEP', depth: 5, limit: 4 },
      },
    ]);
    expect((await subscribe('subscription { eventChanged { id } }')).results).toHaveLength(1);
  });
});
