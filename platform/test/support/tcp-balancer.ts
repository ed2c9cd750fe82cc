import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A layer-4 load balancer in front of a subgraph's replicas, as a Kubernetes Service or a cloud load
 * balancer is: each client connection goes to the next replica in turn, a replica that refuses the
 * connection (killed) is skipped, and the connections a dead replica held simply break.
 */
export interface TcpBalancer {
  port: number;
  /** http://127.0.0.1:<port><path> */
  url(path?: string): string;
  add(port: number): void;
  /** takes a replica out: new connections go to the others (none left: they are refused) */
  remove(port: number): void;
  /** breaks every connection open through it, as a proxy timing out or a network change would */
  cut(): void;
  /** connections handed to each replica port so far */
  connections: Map<number, number>;
  close(): Promise<void>;
}

export async function startTcpBalancer(): Promise<TcpBalancer> {
  const backends: number[] = [];
  const connections = new Map<number, number>();
  const open = new Set<Socket>();
  let next = 0;

  const relay = (client: Socket, attempt = 0) => {
    if (attempt >= backends.length) return void client.destroy();
    const port = backends[next++ % backends.length]!;
    const upstream = connect(port, '127.0.0.1');
    open.add(upstream);
    upstream.once('close', () => open.delete(upstream));
    let connected = false;
    upstream.once('error', () => {
      // refused before anything was sent: try the next replica; after that the client sees the break
      if (!connected) relay(client, attempt + 1);
      else client.destroy();
    });
    upstream.once('connect', () => {
      connected = true;
      connections.set(port, (connections.get(port) ?? 0) + 1);
      // the client stays paused until here, so nothing it sent is lost while a replica is chosen
      client.pipe(upstream).pipe(client);
      client.once('error', () => upstream.destroy());
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => undefined);
    relay(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path = '/graphql') => `http://127.0.0.1:${port}${path}`,
    add: (backend) => void backends.push(backend),
    remove: (backend) => void backends.splice(backends.indexOf(backend) >>> 0, 1),
    cut() {
      for (const socket of open) socket.destroy();
    },
    connections,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
