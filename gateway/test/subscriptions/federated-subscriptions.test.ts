import { getOperationAST, parse } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { staticUpstreamAuth } from '../../src/subscriptions/engine';
import { serveGraphQLOverWebSocket } from '../../src/subscriptions/ws-adapter';
import { PRINCIPAL, record, startGateway, startSubgraphs, waitFor, within, type Subgraphs } from './harness';

const CHECK_INS = /* GraphQL */ `
  subscription OnCheckIn($seriesId: ID) {
    x: checkInRecorded(seriesId: $seriesId) {
      __typename
      id
      series {
        event {
          title
          organization {
            n: name
          }
        }
      }
    }
  }
`;

const expectedEvent = (id: string) => ({
  data: {
    x: { __typename: 'CheckIn', id, series: { event: { title: 'Title e-s1', organization: { n: 'Org o1' } } } },
  },
});

type Gateway = Awaited<ReturnType<typeof startGateway>>;

/** Subgraphs + gateway per test group, so tests that kill subgraphs do not affect the others. */
async function withStack(run: (subgraphs: Subgraphs, gateway: Gateway) => Promise<void>): Promise<void> {
  const subgraphs = await startSubgraphs();
  const gateway = await startGateway(subgraphs);
  try {
    await run(subgraphs, gateway);
  } finally {
    await gateway.close();
    await subgraphs.killAll();
  }
}

describe('federated subscriptions', () => {
  let subgraphs: Subgraphs;
  let gateway: Gateway;
  beforeAll(async () => {
    subgraphs = await startSubgraphs();
    gateway = await startGateway(subgraphs);
  });
  afterAll(async () => {
    await gateway?.close();
    await subgraphs?.killAll();
  });
  afterEach(() => waitFor(() => gateway.engine.upstreamCount() === 0, 'upstreams to close after the test'));

  it('resolves an event across all three subgraphs, forwarding the principal everywhere', async () => {
    const sub = record(gateway.connect('alice'), CHECK_INS, { seriesId: 's1' });
    await waitFor(() => subgraphs.liveSubscriptions() === 1, 'the upstream subscription');

    subgraphs.publish({ id: 'c1', seriesId: 's1' });
    await waitFor(() => sub.results.length === 1, 'the event');

    expect(sub.results[0]).toEqual(expectedEvent('c1')); // exact: aliases, __typename, no planner-added fields
    for (const subgraph of [subgraphs.a, subgraphs.b, subgraphs.c]) expect(subgraph.principals).toContain('signed:alice');
    sub.unsubscribe();
  });

  it('shares one upstream between identical subscriptions and resolves each event once for them', async () => {
    const attachedBefore = gateway.attached();
    const [first, second] = [gateway.connect('alice'), gateway.connect('alice')].map((c) =>
      record(c, CHECK_INS, { seriesId: 's1' }),
    );
    await waitFor(
      () => gateway.attached() === attachedBefore + 2 && subgraphs.liveSubscriptions() === 1,
      'both clients on the shared upstream',
    );
    expect(gateway.engine.upstreamCount()).toBe(1);

    const bRequestsBefore = subgraphs.b.httpRequests;
    subgraphs.publish({ id: 'c2', seriesId: 's1' });
    await waitFor(() => first!.results.length === 1 && second!.results.length === 1, 'both clients to get the event');
    expect(first!.results[0]).toEqual(expectedEvent('c2'));
    expect(second!.results[0]).toEqual(expectedEvent('c2'));
    expect(subgraphs.b.httpRequests - bRequestsBefore).toBe(1); // the rest plan ran once, not once per client

    first!.unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 50)); // give a wrongly-closing upstream time to close
    expect(gateway.engine.upstreamCount()).toBe(1); // still used by the second client
    second!.unsubscribe();
    await waitFor(() => gateway.engine.upstreamCount() === 0, 'the upstream to close after the last client');
    await waitFor(() => subgraphs.liveSubscriptions() === 0, 'subgraph a to see the upstream end');
  });

  it('opens separate upstreams for different variables or a different principal', async () => {
    const subs = [
      record(gateway.connect('alice'), CHECK_INS, { seriesId: 's1' }),
      record(gateway.connect('alice'), CHECK_INS, { seriesId: 's2' }),
      record(gateway.connect('bob'), CHECK_INS, { seriesId: 's1' }),
    ];
    await waitFor(() => subgraphs.liveSubscriptions() === 3, 'three upstreams');
    expect(gateway.engine.upstreamCount()).toBe(3);
    subs.forEach((s) => s.unsubscribe());
    await waitFor(() => gateway.engine.upstreamCount() === 0 && subgraphs.liveSubscriptions() === 0, 'all upstreams to close');
  });

  it('completes clients when the upstream completes, passing subgraph errors through', async () => {
    const done = record(gateway.connect('alice'), 'subscription { countdown(from: 2) }');
    expect(await within(done.ended, 'completion')).toEqual({});
    expect(done.results).toEqual([{ data: { countdown: 2 } }, { data: { countdown: 1 } }]);

    const failing = record(gateway.connect('alice'), 'subscription { countdown(from: -1) }');
    expect(await within(failing.ended, 'completion')).toEqual({});
    expect(failing.results).toHaveLength(1);
    expect(failing.results[0]).toMatchObject({ data: null, errors: [{ path: ['countdown'], extensions: { serviceName: 'a' } }] });
  });

  it('answers bad input over graphql-ws with an error message carrying a code', async () => {
    const client = gateway.connect('alice');
    const codeOf = async (query: string, variables?: Record<string, unknown>) => {
      const { error } = await within(record(client, query, variables).ended, 'the error');
      return (error as { extensions?: { code?: string } }[])[0]?.extensions?.code;
    };
    expect(await codeOf('subscription {')).toBe('GRAPHQL_PARSE_FAILED');
    expect(await codeOf('subscription { checkInRecorded { nope } }')).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await codeOf(CHECK_INS, { seriesId: { not: 'an id' } })).toBe('BAD_USER_INPUT');
    expect(await codeOf('query { checkIn(id: "1") { id } }')).toBe('GRAPHQL_VALIDATION_FAILED'); // no executeOperation configured
    expect(gateway.engine.upstreamCount()).toBe(0);
  });

  it('returns coded errors from engine.subscribe for bad input', async () => {
    const subscribe = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
      gateway.engine.subscribe({
        document: parse(query),
        variables,
        operationName,
        upstreamAuth: staticUpstreamAuth({ [PRINCIPAL]: 'x' }),
      });
    const codes = async (...args: Parameters<typeof subscribe>) => {
      const result = await subscribe(...args);
      expect(Symbol.asyncIterator in result).toBe(false);
      return 'errors' in result ? result.errors?.map((e) => e.extensions.code) : undefined;
    };
    expect(await codes('subscription { unknownField }')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(await codes('subscription S($id: ID!) { checkInRecorded(seriesId: $id) { id } }')).toEqual(['BAD_USER_INPUT']);
    expect(await codes('query { checkIn(id: "1") { id } }')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(await codes(CHECK_INS, {}, 'Nope')).toEqual(['OPERATION_RESOLUTION_FAILURE']);
  });

  it('leaves other upgrade paths and plain HTTP to the server, and delegates queries to executeOperation', async () => {
    const queries = serveGraphQLOverWebSocket({
      server: gateway.server,
      path: '/queries',
      engine: gateway.engine,
      authenticate: async () => staticUpstreamAuth({ [PRINCIPAL]: 'signed:alice' }),
      executeOperation: async ({ document, upstreamAuth }) => ({
        data: { kind: getOperationAST(document)?.operation, principal: upstreamAuth.headers()[PRINCIPAL] },
      }),
    });
    const client = createClient({ url: gateway.url.replace('/graphql', '/queries'), webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const query = record(client, 'query { checkIn(id: "1") { id } }');
      expect(await within(query.ended, 'the query')).toEqual({});
      expect(query.results).toEqual([{ data: { kind: 'query', principal: 'signed:alice' } }]);

      const http = await fetch(gateway.url.replace('ws://', 'http://'));
      expect(await http.text()).toBe('ok');
    } finally {
      await client.dispose();
      await queries.close();
    }
  });

  it('refuses a connection that fails authentication with 4403', async () => {
    const client = createClient({ url: gateway.url, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: {} });
    try {
      const { error } = await within(record(client, CHECK_INS).ended, 'the refusal');
      expect((error as { code?: number }).code).toBe(4403);
    } finally {
      await client.dispose();
    }
  });
});

describe('federated subscriptions when subgraphs fail', () => {
  it('ends every client with SUBGRAPH_UNAVAILABLE when the owning subgraph dies', () =>
    withStack(async (subgraphs, gateway) => {
      const subs = [
        record(gateway.connect('alice'), CHECK_INS, { seriesId: 's1' }),
        record(gateway.connect('alice'), CHECK_INS, { seriesId: 's1' }),
      ];
      await waitFor(() => gateway.attached() === 2 && subgraphs.liveSubscriptions() === 1, 'both clients on the upstream');

      await subgraphs.a.kill();
      for (const sub of subs) {
        expect(await within(sub.ended, 'the stream to end')).toEqual({}); // `complete`, not a dropped socket
        expect(sub.results).toHaveLength(1);
        expect(sub.results[0]?.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'a' });
      }
      expect(gateway.engine.upstreamCount()).toBe(0);

      // subscribing while the subgraph is down fails the same way instead of hanging
      const late = record(gateway.connect('alice'), CHECK_INS, { seriesId: 's1' });
      expect(await within(late.ended, 'the late stream to end')).toEqual({});
      expect(late.results[0]?.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE' });
      expect(gateway.engine.upstreamCount()).toBe(0);
    }));

  it('delivers the event with errors for the fields of an unreachable subgraph', () =>
    withStack(async (subgraphs, gateway) => {
      const sub = record(gateway.connect('alice'), CHECK_INS, { seriesId: 's1' });
      await waitFor(() => subgraphs.liveSubscriptions() === 1, 'the upstream subscription');
      await subgraphs.c.kill();

      subgraphs.publish({ id: 'c3', seriesId: 's1' });
      await waitFor(() => sub.results.length === 1, 'the event');
      const [event] = sub.results;
      expect(event?.data).toEqual({
        x: { __typename: 'CheckIn', id: 'c3', series: { event: { title: 'Title e-s1', organization: { n: null } } } },
      });
      expect(event?.errors).toHaveLength(1);
      expect(event?.errors?.[0]).toMatchObject({
        path: ['x', 'series', 'event', 'organization'],
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'c' },
      });

      // the stream survives: later events still arrive
      subgraphs.publish({ id: 'c4', seriesId: 's1' });
      await waitFor(() => sub.results.length === 2, 'the next event');
      sub.unsubscribe();
    }));
});
