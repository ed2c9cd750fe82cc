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

beforeAll(async () => {
  server = createServer((req, res) => {
    const count = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, count);
    if (count > 1) return void req.socket.destroy();
    res.end(JSON.stringify({ data: { ok: true } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

it('sends a request again on a fresh connection when a reused one turns out to be closed', async () => {
  const post = async () => JSON.parse((await postToSubgraph(url, { body: '{"query":"{ ok }"}', headers: {} })).text) as unknown;
  expect(await post()).toEqual({ data: { ok: true } });
  // the agent reuses the kept-alive connection, which the server drops
  expect(await post()).toEqual({ data: { ok: true } });
});
