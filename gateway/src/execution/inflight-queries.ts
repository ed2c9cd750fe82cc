import { CLIENT_ADDRESS_HEADER, PRINCIPAL_HEADER } from '@eventgraph/runtime';

/** A subgraph's answer as it came: the HTTP status and the body text. */
export interface PostedAnswer {
  status: number;
  text: string;
}

/**
 * Identical subgraph queries in flight at the same time are sent once, and every request waiting on
 * one gets its answer (as Hive Gateway does by default and Apollo Router's `deduplicate_query`).
 * Identical means the same URL, body and headers, except the request id: the same caller (the signed
 * principal and client address are headers) asking the same thing. A traced request has its own
 * `traceparent`, so it is never shared. Only the text is shared: each request parses its own copy,
 * since results are merged in place. Mutations are never shared, and a query in flight when one is sent or
 * answered is not joined any more (`forget`); subscription events' entity fetches never join (they must be
 * read after the event).
 */
export class InflightQueries {
  private readonly inflight = new Map<string, Promise<PostedAnswer>>();

  /**
   * The answer of `send`, or of the identical request already in flight (then `joined` is called at
   * once). `first` is true for the request that sent it: it alone counts the outcome (the circuit
   * breaker sees one request).
   */
  async share(
    url: string,
    headers: Readonly<Record<string, string>>,
    body: string,
    send: () => Promise<PostedAnswer>,
    joined?: () => void,
  ): Promise<PostedAnswer & { first: boolean }> {
    const key = requestKey(url, headers, body);
    const waiting = this.inflight.get(key);
    if (waiting) {
      joined?.();
      return { ...(await waiting), first: false };
    }
    const sent = send();
    this.inflight.set(key, sent);
    try {
      return { ...(await sent), first: true };
    } finally {
      if (this.inflight.get(key) === sent) this.inflight.delete(key);
    }
  }

  /**
   * No query in flight now is joined from here on. Called when a mutation is sent and when it is answered,
   * so a query made after a mutation's answer never gets an answer read before it (read your writes, as
   * far as this gateway sees them).
   */
  forget(): void {
    this.inflight.clear();
  }
}

/** The request id names one client request in the subgraph's log; it does not change the answer. */
const NOT_IN_KEY = 'x-request-id';

/**
 * The signed headers carry their expiry in seconds, so the same caller's signature changes every second: the key
 * takes what they say without it (the gateway signed them itself a moment ago, so they need no checking here).
 */
const WITHOUT_EXPIRY: Record<string, (value: string) => string> = {
  // `<base64url(JSON of the principal, "exp" last)>.<mac>`
  [PRINCIPAL_HEADER]: (value) =>
    Buffer.from(value.slice(0, value.indexOf('.')), 'base64url')
      .toString()
      .replace(/,"exp":\d+\}$/, '}'),
  // `<base64url(address)>.<exp>.<mac>`
  [CLIENT_ADDRESS_HEADER]: (value) => value.slice(0, value.indexOf('.')),
};

function requestKey(url: string, headers: Readonly<Record<string, string>>, body: string): string {
  let key = url;
  for (const name in headers) {
    if (name === NOT_IN_KEY) continue;
    const value = headers[name]!;
    key += `\n${name}:${WITHOUT_EXPIRY[name]?.(value) ?? value}`;
  }
  return `${key}\n\n${body}`;
}

/** `EVENTGRAPH_SHARE_INFLIGHT_QUERIES`: on unless `false` or `0`. */
export function inflightSharingFromEnv(env: Record<string, string | undefined> = process.env): boolean {
  const text = env.EVENTGRAPH_SHARE_INFLIGHT_QUERIES?.trim().toLowerCase();
  if (text === undefined || text === '' || text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new Error(`EVENTGRAPH_SHARE_INFLIGHT_QUERIES must be true or false, got "${text}"`);
}
