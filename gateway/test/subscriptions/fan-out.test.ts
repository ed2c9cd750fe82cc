/**
 * Fan-out as the sockets see it: the results of an operation group are pushed to every subscriber as
 * graphql-ws would send them (checked byte for byte on raw sockets), one payload for all with each
 * subscriber's own id, in order, `complete` after the last, and nothing for an id its client completed.
 */
import WebSocket from 'ws';
import { startGateway, startSubgraphs, waitFor, type Subgraphs } from './harness';

const QUERY = 'subscription($s: ID) { checkInRecorded(seriesId: $s) { id series { event { title } } } }';

/** A graphql-transport-ws client on a raw socket, recording the text of every message after the ack. */
async function rawSubscriber(url: string, id: string) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const messages: string[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { token: 'alice' } })));
    socket.on('message', (raw) => {
      const text = String(raw);
      const { type } = JSON.parse(text) as { type: string };
      if (type === 'connection_ack') {
        socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: QUERY, variables: { s: 's1' } } }));
        resolve();
      } else if (type !== 'ping' && type !== 'pong') messages.push(text);
    });
  });
  return {
    messages,
    complete: () => socket.send(JSON.stringify({ id, type: 'complete' })),
    close: () => socket.close(),
  };
}

/** What graphql-ws itself would send for a `next` (key order included). */
const nextMessage = (id: string, checkIn: string) =>
  JSON.stringify({
    id,
    type: 'next',
    payload: { data: { checkInRecorded: { id: checkIn, series: { event: { title: 'Title e-s1' } } } } },
  });

describe('subscription fan-out', () => {
  let subgraphs: Subgraphs;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    subgraphs = await startSubgraphs();
    gateway = await startGateway(subgraphs);
  });
  afterAll(async () => {
    await gateway?.close();
    await subgraphs?.killAll();
  });

  it('sends every subscriber of a group the same payload under its own id, in order', async () => {
    const ids = ['1', 'a"b\\c', 'ünï-☃'];
    const clients = await Promise.all(ids.map((id) => rawSubscriber(gateway.url, id)));
    await waitFor(() => gateway.attached() === 3 && subgraphs.liveSubscriptions() === 1, 'all three on the upstream');

    const bBefore = subgraphs.b.httpRequests;
    for (const checkIn of ['c1', 'c2', 'c3']) subgraphs.publish({ id: checkIn, seriesId: 's1' });
    await waitFor(() => clients.every((c) => c.messages.length === 3), 'three events each');

    clients.forEach((client, i) =>
      expect(client.messages).toEqual(['c1', 'c2', 'c3'].map((checkIn) => nextMessage(ids[i]!, checkIn))),
    );
    expect(subgraphs.b.httpRequests - bBefore).toBe(3); // resolved once per event, not per subscriber
    clients.forEach((c) => c.close());
    await waitFor(() => gateway.engine.upstreamCount() === 0, 'the upstream to close');
  });

  it('sends nothing more for an id its client completed, while the others go on', async () => {
    const attached = gateway.attached();
    const [leaving, staying] = await Promise.all([rawSubscriber(gateway.url, 'x'), rawSubscriber(gateway.url, 'y')]);
    await waitFor(() => gateway.attached() === attached + 2 && subgraphs.liveSubscriptions() === 1, 'both on the upstream');

    subgraphs.publish({ id: 'd1', seriesId: 's1' });
    await waitFor(() => leaving.messages.length === 1 && staying.messages.length === 1, 'the first event');
    leaving.complete();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the gateway reads the complete
    subgraphs.publish({ id: 'd2', seriesId: 's1' });
    await waitFor(() => staying.messages.length === 2, 'the second event');
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(leaving.messages).toEqual([nextMessage('x', 'd1')]);
    expect(staying.messages).toEqual([nextMessage('y', 'd1'), nextMessage('y', 'd2')]);
    leaving.close();
    staying.close();
    await waitFor(() => gateway.engine.upstreamCount() === 0, 'the upstream to close');
  });

  it('sends `complete` after the last result when the upstream ends', async () => {
    const attached = gateway.attached();
    const client = await rawSubscriber(gateway.url, 'z');
    await waitFor(() => gateway.attached() === attached + 1 && subgraphs.liveSubscriptions() === 1, 'the upstream');
    subgraphs.publish({ id: 'e1', seriesId: 's1' });
    await waitFor(() => client.messages.length === 1, 'the event');
    await subgraphs.a.kill(); // the owning subgraph dies: an error result, then complete

    await waitFor(() => client.messages.length === 3, 'the error and complete');
    expect(client.messages[0]).toBe(nextMessage('z', 'e1'));
    expect(JSON.parse(client.messages[1]!)).toMatchObject({
      id: 'z',
      type: 'next',
      payload: { errors: [{ extensions: { code: 'SUBGRAPH_UNAVAILABLE' } }] },
    });
    expect(JSON.parse(client.messages[2]!)).toEqual({ id: 'z', type: 'complete' });
    client.close();
  });
});
