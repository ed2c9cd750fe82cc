import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { postToSubgraph } from '../src/subgraph-fetcher';

/**
 * A subgraph that drops a kept-alive connection when it is reused, as one does that closed it as
 * idle at the moment the gateway sent the next request on it.
 */
let server: Server;
let url: string;
const served = new WeakMap<Socket, number>();
let received = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    received++;
    const count = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, count);
    if (count > 1) return void req.socket.destroy();
    res.end(JSON.stringify({ data: { ok: true } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const post = async (idempotent: boolean) =>
  JSON.parse((await postToSubgraph(url, { body: '{"query":"{ ok }"}', headers: {}, idempotent })).text) as unknown;

it('sends a query again on a fresh connection when a reused one turns out to be closed', async () => {
  expect(await post(true)).toEqual({ data: { ok: true } });
  // the agent reuses the kept-alive connection, which the server drops
  expect(await post(true)).toEqual({ data: { ok: true } });
});

it('never sends a mutation twice: it may have reached the subgraph before the connection dropped', async () => {
  // the connection the query was sent again on is reused, and dropped
  const before = received;
  await expect(post(false)).rejects.toThrow('other side closed');
  expect(received - before).toBe(1);
});
