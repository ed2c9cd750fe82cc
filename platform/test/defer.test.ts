import { createDemoWorld } from './support/demo-data';
import { startTestPlatform, subscribe, type GraphQLResponse, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;

beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createDemoWorld(platform);
});
afterAll(() => platform?.stop());

type Payload = GraphQLResponse<Record<string, any>> & {
  hasNext?: boolean;
  incremental?: Array<{
    data: Record<string, any> | null;
    path: (string | number)[];
    label?: string;
    errors?: GraphQLResponse<never>['errors'];
  }>;
};

/** POSTs as a client that reads multipart/mixed (Apollo Client's Accept header). */
function post(query: string, variables: Record<string, unknown>) {
  return fetch(platform.gateway.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'multipart/mixed;deferSpec=20220824, application/json',
      authorization: `Bearer ${platform.devToken}`,
    },
    body: JSON.stringify({ query, variables }),
  });
}

/** Splits a multipart/mixed answer into its JSON parts. */
async function deferred(query: string, variables: Record<string, unknown>) {
  const response = await post(query, variables);
  const text = await response.text();
  expect(text.endsWith('\r\n-----\r\n')).toBe(true);
  const parts = text
    .slice(0, -'\r\n-----\r\n'.length)
    .split('\r\n---\r\n')
    .filter(Boolean)
    .map((part) => {
      const [headers, body] = part.split('\r\n\r\n') as [string, string];
      expect(headers.toLowerCase()).toBe('content-type: application/json; charset=utf-8');
      return JSON.parse(body) as Payload;
    });
  return { contentType: response.headers.get('content-type'), parts };
}

const EVENT_WITH_DEFERRED_ORGANIZATION = `query($id: ID!) {
  event(id: $id) { title ... @defer(label: "owner") { organization { name } } }
}`;

describe('@defer through the gateway', () => {
  it('sends the deferred fragment owned by another subgraph as a later multipart part', async () => {
    const { contentType, parts } = await deferred(EVENT_WITH_DEFERRED_ORGANIZATION, { id: world.event.id });
    expect(contentType).toBe('multipart/mixed;boundary="-";deferSpec=20220824');
    expect(parts).toEqual([
      { data: { event: { title: 'Summer Sound' } }, hasNext: true },
      {
        hasNext: false,
        incremental: [{ data: { organization: { name: world.org.name } }, path: ['event'], label: 'owner' }],
      },
    ]);
  });

  it('answers in one JSON response, fragment included, to a client that does not read multipart', async () => {
    const { status, body } = await platform.request(EVENT_WITH_DEFERRED_ORGANIZATION, { id: world.event.id });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { event: { title: 'Summer Sound', organization: { name: world.org.name } } } });
  });

  it('delivers each list element its own part, and @defer(if: false) not at all', async () => {
    const query = `query($id: ID!, $later: Boolean!) {
      organization(id: $id) { events { edges { node { title ... @defer(if: $later) { venue { name } } } } } }
    }`;
    const { parts } = await deferred(query, { id: world.org.id, later: true });
    expect(parts[0]).toEqual({
      data: { organization: { events: { edges: [{ node: { title: 'Summer Sound' } }] } } },
      hasNext: true,
    });
    expect(parts[1]).toEqual({
      hasNext: false,
      incremental: [{ data: { venue: { name: 'Riverside Park' } }, path: ['organization', 'events', 'edges', 0, 'node'] }],
    });
    // not deferred: one JSON answer with the venue in place, though the client reads multipart
    const eager = await post(query, { id: world.org.id, later: false });
    expect(eager.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await eager.json()) as Payload).data).toEqual({
      organization: { events: { edges: [{ node: { title: 'Summer Sound', venue: { name: 'Riverside Park' } } }] } },
    });
  });

  it('sends deferred fragments as later `next` messages over graphql-ws', async () => {
    const client = platform.wsClient();
    const results = subscribe(client, EVENT_WITH_DEFERRED_ORGANIZATION, { id: world.event.id });
    const first = (await results.next(1)) as Payload;
    expect(first).toEqual({ data: { event: { title: 'Summer Sound' } }, hasNext: true });
    const second = (await results.next(2)) as Payload;
    expect(second).toEqual({
      hasNext: false,
      incremental: [{ data: { organization: { name: world.org.name } }, path: ['event'], label: 'owner' }],
    });
  });
  it('keeps the initial payload whole when the deferred subgraph is down, and reports it in the later part', async () => {
    const restart = await platform.takeDown('users');
    try {
      const { parts } = await deferred(EVENT_WITH_DEFERRED_ORGANIZATION, { id: world.event.id });
      expect(parts[0]).toEqual({ data: { event: { title: 'Summer Sound' } }, hasNext: true });
      expect(parts[1]!.hasNext).toBe(false);
      const [part] = parts[1]!.incremental!;
      expect(part!.path).toEqual(['event']);
      expect(part!.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
        ['SUBGRAPH_UNAVAILABLE', ['event', 'organization']],
      ]);
    } finally {
      await restart();
    }
  });
});
