import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { PRINCIPAL_HEADER, signPrincipal } from '@eventgraph/runtime';
import type { ServedProcess } from './process-deployment';
import type { GraphQLResponse } from './test-platform';

/** GraphQL over HTTP and graphql-ws to one gateway process, with the development credential unless told otherwise. */
export interface GatewayClient {
  url: string;
  request<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: GraphQLResponse<T> }>;
  /** a request that must succeed: its data */
  data<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  ws(): Client;
}

export function gatewayClient(gateway: ServedProcess, devToken: string, clients: Client[]): GatewayClient {
  const url = `${gateway.origin}/graphql`;
  const request: GatewayClient['request'] = async (query, variables, headers = { authorization: `Bearer ${devToken}` }) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GraphQLResponse<never> };
  };
  return {
    url,
    request,
    async data(query, variables) {
      const { body } = await request(query, variables);
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data as never;
    },
    ws() {
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${devToken}` },
      });
      clients.push(client);
      return client;
    },
  };
}

/** A request straight to one subgraph replica, signed as the platform service (what the gateway forwards). */
export async function replicaData<T = Record<string, any>>(
  replica: ServedProcess,
  principalSecret: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const principal = signPrincipal({ kind: 'service', id: 'scale-out-test', memberships: [], scopes: ['*'] }, principalSecret);
  const response = await fetch(`${replica.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [PRINCIPAL_HEADER]: principal },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResponse<T>;
  if (body.errors?.length) throw new Error(`${replica.name}: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

/** A webhook receiver that accepts everything and remembers each POST's body (`id` is the bus event's id). */
export interface WebhookReceiver {
  url: string;
  received: Array<{ id: string; type: string; data: Record<string, any> }>;
  /** how many times each bus event arrived */
  timesById(): Map<string, number>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookReceiver['received'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    timesById() {
      const times = new Map<string, number>();
      for (const { id } of received) times.set(id, (times.get(id) ?? 0) + 1);
      return times;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The sum of a Prometheus counter's series on a process's /metrics whose labels contain `labels`. */
export async function counterSum(origin: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
