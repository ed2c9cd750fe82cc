import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isPrivateAddress, isPrivateHost } from '../domain/network-targets';

const MAX_ANSWER_BYTES = 4096;

/** What a webhook attempt needs of an HTTP client (the worker's seam for tests). */
export type WebhookPost = (
  url: string,
  init: { headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

/** A receiver refused before any request: its address is private and private targets are denied. */
export class PrivateTargetError extends Error {
  override name = 'PrivateTargetError';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
/** how names become addresses: the system's resolver, or a stand-in in tests */
export type Resolve = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A connection's resolver: `resolve`, and with `refusePrivate` a refusal of private addresses. It runs
 * for the connection itself, so a name that resolves differently between a check and the connection
 * (DNS rebinding) is caught too.
 */
const connectLookup =
  (resolve: Resolve, refusePrivate: boolean) => (hostname: string, options: LookupOptions, callback: LookupCallback) =>
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const blocked = refusePrivate && addresses.find((a) => isPrivateAddress(a.address));
      if (blocked) return callback(new PrivateTargetError(`${hostname} resolves to ${blocked.address}, a private address`), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });

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
  ({ denyPrivate, resolve = lookup as Resolve }: PostOptions): WebhookPost =>
  (url, { headers, body, signal }) =>
    new Promise((settle, fail) => {
      const target = new URL(url);
      if (denyPrivate && isPrivateHost(target.hostname))
        return fail(new PrivateTargetError(`${target.hostname} is a private address`));
      const options: RequestOptions = {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal,
        lookup: connectLookup(resolve, denyPrivate) as RequestOptions['lookup'],
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
