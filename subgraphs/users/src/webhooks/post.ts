import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, isPrivateHost, PrivateTargetError, systemResolve, type Resolve } from '@eventgraph/runtime';

export { PrivateTargetError, type Resolve };

const MAX_ANSWER_BYTES = 4096;

/** What a webhook attempt needs of an HTTP client (the worker's seam for tests). */
export type WebhookPost = (
  url: string,
  init: { headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

export interface PostOptions {
  /** refuse receivers on loopback, private or link-local addresses */
  denyPrivate: boolean;
  resolve?: Resolve;
}

/**
 * Posts one webhook attempt: never follows redirects, reads the start of the answer. With `denyPrivate`,
 * receivers on loopback, private or link-local addresses are refused (server-side request forgery:
 * a partner's endpoint must not reach the platform's own network or a cloud metadata service).
 */
export const postWebhook =
  ({ denyPrivate, resolve = systemResolve }: PostOptions): WebhookPost =>
  (url, { headers, body, signal }) =>
    new Promise((settle, fail) => {
      const target = new URL(url);
      if (denyPrivate && isPrivateHost(target.hostname))
        return fail(new PrivateTargetError(`${target.hostname} is a private address`));
      const options: RequestOptions = {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal,
        lookup: guardedLookup(resolve, denyPrivate) as RequestOptions['lookup'],
      };
      const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, options, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const answer = () => {
          const text = Buffer.concat(chunks).toString('utf8');
          settle({ status: response.statusCode ?? 0, text: async () => text });
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          // only the start of an answer is kept (an excerpt in the attempt log): a receiver cannot make us read forever
          if (size >= MAX_ANSWER_BYTES) {
            answer();
            response.destroy();
          }
        });
        response.on('end', answer);
        response.on('error', fail);
      });
      request.on('error', fail);
      request.end(body);
    });
