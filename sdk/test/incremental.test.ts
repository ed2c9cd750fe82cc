import { createEventgraphClient, isEventgraphError, type EventgraphClient } from '../src';
import { multipartPayloads } from '../src/incremental';
import { createDemoWorld } from '../../platform/test/support/demo-data';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
let client: EventgraphClient;

beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createDemoWorld(platform);
  client = createEventgraphClient({ url: platform.gateway.url, credential: platform.devToken });
});
afterAll(async () => {
  await client?.close();
  await platform?.stop();
});

const EVENT = `query Event($id: ID!, $later: Boolean! = true) {
  event(id: $id) { title ... @defer(if: $later) { organization { name } } }
}`;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

describe('requestIncremental', () => {
  it('yields the data without the deferred fragment first, then with it merged in', async () => {
    const snapshots = await collect(client.requestIncremental(EVENT, { id: world.event.id }));
    expect(snapshots).toEqual([
      { event: { title: 'Summer Sound' } },
      { event: { title: 'Summer Sound', organization: { name: world.org.name } } },
    ]);
    // each snapshot is its own object: the first is not changed by the later part
    expect(snapshots[0]).not.toBe(snapshots[1]);
  });

  it('yields once when the server answers in one piece', async () => {
    const snapshots = await collect(client.requestIncremental(EVENT, { id: world.event.id, later: false }));
    expect(snapshots).toEqual([{ event: { title: 'Summer Sound', organization: { name: world.org.name } } }]);
  });

  it('fails with the API error code like request()', async () => {
    const failure = await collect(client.requestIncremental('{ event(id: 1) { nope } }')).catch((err: unknown) => err);
    expect(isEventgraphError(failure) && failure.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('multipart/mixed reading', () => {
  it('finds every part whatever the chunk boundaries', async () => {
    const body =
      '\r\n---\r\ncontent-type: application/json; charset=utf-8\r\n\r\n{"data":{"a":1},"hasNext":true}' +
      '\r\n---\r\ncontent-type: application/json; charset=utf-8\r\n\r\n{"hasNext":false,"incremental":[{"data":{"b":2},"path":[]}]}' +
      '\r\n-----\r\n';
    for (const size of [1, 3, 7, 50, body.length]) {
      const chunks = async function* () {
        for (let i = 0; i < body.length; i += size) yield body.slice(i, i + size);
      };
      const payloads = [];
      for await (const payload of multipartPayloads(chunks(), '-')) payloads.push(payload);
      expect(payloads).toEqual([
        { data: { a: 1 }, hasNext: true },
        { hasNext: false, incremental: [{ data: { b: 2 }, path: [] }] },
      ]);
    }
  });
});
