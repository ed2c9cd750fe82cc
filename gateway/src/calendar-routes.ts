import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ANONYMOUS, PRINCIPAL_HEADER, signPrincipal, type Logger, type Principal } from '@eventgraph/runtime';
import { GATEWAY_PRINCIPAL, type CallerDirectory } from './auth/caller-directory';

/**
 * GET /calendar/{organizations,venues,events,searches}/<uuid>.ics and /calendar/private/egc_<token>.ics: iCalendar
 * feeds, rendered by the events subgraph (`_calendarFeed`, @inaccessible) for the principal the feed is for.
 * Public feeds ask as an anonymous caller, so the usual visibility applies (a saved search's feed, too: it
 * lists what the search finds for anyone, as calendar apps fetch without credentials). A private feed's token names a
 * user and an organisation (`_calendarFeedOwner`); the user's memberships are looked up now (CallerDirectory:
 * cached 30 s, evicted at once by membership.changed), so a removed member's feed loses the private events
 * at once.
 */

export const CALENDAR_PREFIX = '/calendar/';
const PUBLIC_KINDS: Record<string, string> = {
  organizations: 'ORGANIZATION',
  venues: 'VENUE',
  events: 'EVENT',
  searches: 'SEARCH',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FEED_TOKEN = /^egc_[A-Za-z0-9_-]{43}$/;

export interface CalendarRoutesOptions {
  eventsUrl: string;
  principalSecret: string;
  callers: CallerDirectory;
  logger: Logger;
}

class FeedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function createCalendarRoutes(options: CalendarRoutesOptions) {
  const { eventsUrl, principalSecret, callers } = options;

  async function query<T>(
    principal: Principal,
    source: string,
    variables: Record<string, unknown>,
    requestId: string,
  ): Promise<T> {
    const response = await fetch(eventsUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [PRINCIPAL_HEADER]: signPrincipal(principal, principalSecret),
        'x-request-id': requestId,
      },
      body: JSON.stringify({ query: source, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.some((e) => e.extensions?.code === 'BAD_USER_INPUT')) throw new FeedError(400, body.errors[0]!.message);
    if (!response.ok || body.errors?.length || !body.data)
      throw new Error(`calendar feed failed: ${response.status} ${body.errors?.map((e) => e.message).join('; ') ?? ''}`);
    return body.data;
  }

  async function feed(kind: string, id: string, requestId: string) {
    let principal: Principal = ANONYMOUS;
    if (kind === 'PRIVATE') {
      const { _calendarFeedOwner: owner } = await query<{ _calendarFeedOwner: { userId: string } | null }>(
        GATEWAY_PRINCIPAL,
        'query($token: String!) { _calendarFeedOwner(token: $token) { userId } }',
        { token: id },
        requestId,
      );
      const user = owner && (await callers.user(owner.userId));
      if (!user) return null;
      principal = { kind: 'user', id: user.id, memberships: user.memberships, scopes: [] };
    }
    const data = await query<{ _calendarFeed: { ics: string; filename: string } | null }>(
      principal,
      'query($kind: String!, $id: String!) { _calendarFeed(kind: $kind, id: $id) { ics filename } }',
      { kind, id },
      requestId,
    );
    return data._calendarFeed;
  }

  /** Answers a request under CALENDAR_PREFIX. */
  return async function handle(req: IncomingMessage, res: ServerResponse, pathname: string, requestId: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendText(res, 405, 'calendar feeds answer GET\n', { allow: 'GET, HEAD' });
    const match = /^\/calendar\/(organizations|venues|events|searches|private)\/([^/]+)\.ics$/.exec(pathname);
    if (!match) return sendText(res, 404, `no calendar feed at ${pathname}\n`);
    const [, collection, id] = match as unknown as [string, string, string];
    const kind = PUBLIC_KINDS[collection] ?? 'PRIVATE';
    const valid = kind === 'PRIVATE' ? FEED_TOKEN.test(id) : UUID.test(id);
    if (!valid) return sendText(res, 400, kind === 'PRIVATE' ? 'not a calendar feed token\n' : `"${id}" is not a valid id\n`);
    try {
      const document = await feed(kind, kind === 'PRIVATE' ? id : id.toLowerCase(), requestId);
      if (!document) return sendText(res, 404, 'no such calendar feed\n', { 'cache-control': 'no-store' });
      const etag = `"${createHash('sha256').update(document.ics).digest('base64url').slice(0, 32)}"`;
      const headers = {
        etag,
        // private feeds must not sit in shared caches; clients poll feeds every few hours anyway
        'cache-control': kind === 'PRIVATE' ? 'private, max-age=300' : 'public, max-age=300',
        vary: 'Accept-Encoding',
      };
      const presented = req.headers['if-none-match'];
      if (presented && presented.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag || tag.trim() === '*')) {
        res.writeHead(304, headers);
        return void res.end();
      }
      res.writeHead(200, {
        ...headers,
        'content-type': 'text/calendar; charset=utf-8',
        'content-length': Buffer.byteLength(document.ics),
        'content-disposition': `inline; filename="${document.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
      });
      res.end(req.method === 'HEAD' ? undefined : document.ics);
    } catch (err) {
      if (err instanceof FeedError) return sendText(res, err.status, `${err.message}\n`);
      options.logger.error({ err, requestId }, 'calendar feed failed');
      if (!res.headersSent) sendText(res, 502, 'the calendar feed is unavailable; try again later\n', { 'retry-after': '30' });
      else res.end();
    }
  };
}
