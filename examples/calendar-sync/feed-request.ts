// One conditional GET of a calendar feed. The gateway's feeds send an ETag (a hash of the body) and answer
// If-None-Match with 304; they send no Last-Modified, so the ETag is the only validator there is.
import { describe, SyncFailure } from './failures';

export type FeedAnswer =
  { status: 'unchanged' } | { status: 'changed'; ics: string; etag: string | undefined; contentType: string | undefined };

export interface FeedRequest {
  url: string;
  /** a private feed (/calendar/private/…): a 404 there means the URL was revoked */
  isPrivate: boolean;
  /** the ETag of the copy we hold, if we hold one */
  etag?: string;
  timeoutMs?: number;
}

export const isPrivateFeed = (url: string) => new URL(url).pathname.startsWith('/calendar/private/');

/** Retry-After in seconds or as a date, in ms; undefined when absent or unreadable. */
function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export async function fetchFeed({ url, isPrivate, etag, timeoutMs = 30_000 }: FeedRequest): Promise<FeedAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'text/calendar', ...(etag ? { 'if-none-match': etag } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    throw new SyncFailure('NETWORK', `cannot reach ${new URL(url).origin} (${timedOut ? 'no answer in time' : describe(err)})`);
  }
  if (response.status === 304) return { status: 'unchanged' };
  const body = await response.text().catch(() => '');
  const said = body.trim().split('\n')[0]?.slice(0, 200) ?? '';
  // the body decides whether it is a calendar (servers label .ics files loosely); the type helps say what it was
  if (response.ok)
    return {
      status: 'changed',
      ics: body,
      etag: response.headers.get('etag') ?? undefined,
      contentType: response.headers.get('content-type') ?? undefined,
    };
  if (isPrivate && [401, 403, 404].includes(response.status))
    throw new SyncFailure(
      'REVOKED',
      `this private feed URL is no longer valid (${response.status}): it was regenerated (regenerateCalendarFeedUrl) or its owner left; ask calendarFeedUrl for the current one`,
    );
  if (response.status === 404)
    throw new SyncFailure('NOT_FOUND', `there is no calendar feed at ${url} (404${said ? `: ${said}` : ''}); check the id`);
  if (response.status === 400) throw new SyncFailure('BAD_REQUEST', `the feed URL was refused (400: ${said})`);
  if (response.status === 429 || response.status >= 500)
    throw new SyncFailure(
      'UNAVAILABLE',
      `the gateway cannot serve the feed now (${response.status}${said ? `: ${said}` : ''})`,
      retryAfterMs(response.headers.get('retry-after')),
    );
  throw new SyncFailure('BAD_REQUEST', `the feed answered ${response.status}${said ? `: ${said}` : ''}`);
}
