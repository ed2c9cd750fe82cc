import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** A POST of a GraphQL request to a subgraph: its status and body, read whole. */
export type SubgraphPost = (
  url: string,
  init: { headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ status: number; text: string }>;

/** kept-alive connections to the subgraphs, as many as the load needs */
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * The gateway's HTTP client for subgraph requests: node:http on kept-alive connections, the body read
 * whole. Subgraph answers are never cached or proxied, so no fetch stack (headers objects, streams,
 * caches) sits in between; the executor's transport adds timeouts, the circuit breaker and spans.
 */
export const postToSubgraph: SubgraphPost = (url, init) => postOnce(url, init, true);

const postOnce = (url: string, init: Parameters<SubgraphPost>[1], mayRetry: boolean) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const request = (secure ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) },
        agent: secure ? agents.https : agents.http,
        signal: init.signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', (err: NodeJS.ErrnoException) => {
      // a kept-alive connection the subgraph closed as idle just as it was reused: the request never
      // reached it (Node's documented race), so it is sent again once, on a fresh connection
      if (mayRetry && request.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE'))
        return void postOnce(url, init, false).then(resolve, reject);
      reject(err);
    });
    request.end(init.body);
  });
