// Keeps a local .ics file current from an Eventgraph calendar feed, as a command-line program.
//
//   npx tsx examples/calendar-sync/main.ts --org <id> [--out <file>] [--every <s>] [--live] [--once]
//   npx tsx examples/calendar-sync/main.ts --feed <url or /calendar/….ics path> [--org <id> --live] …
//   EVENTGRAPH_TOKEN=<user's token> npx tsx examples/calendar-sync/main.ts --org <id> --private …
//
// Each sync is a conditional GET (If-None-Match with the ETag kept in <file>.sync.json): a 304 leaves the file
// alone; a new body is checked with an iCalendar parser and then replaces the file atomically. One line per sync.
//
// Options and environment:
//   --org <id>        the organisation's public feed, /calendar/organizations/<id>.ics
//   --feed <url>      any feed: a full URL, or a path such as /calendar/private/egc_….ics on EVENTGRAPH_URL's origin
//   --private         with --org: the caller's private feed of it (calendarFeedUrl, as EVENTGRAPH_TOKEN's user)
//   --out <file>      default calendar.ics
//   --every <s>       poll interval in seconds (default 300, the feeds' max-age)
//   --live            with --org: also sync at once when one of its events changes (eventChanged over graphql-ws)
//   --once            sync once and exit
//   EVENTGRAPH_URL    the GraphQL endpoint; feeds are served from its origin (default http://localhost:4000/graphql)
//   EVENTGRAPH_TOKEN  for --private and --live (default the development token; empty = anonymous)
//
// Exit status: 0 synced (or stopped with Ctrl+C); 64 bad usage; 65 the feed's body is not iCalendar; 66 no such
// feed; 69 the gateway cannot be reached or cannot answer now; 73 the file cannot be written; 77 a private
// feed URL that was revoked. While polling, 65 and 69 are retried with back-off instead.
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { createEventgraphClient, isEventgraphError } from '@eventgraph/sdk';
import { DEFAULT_TOKEN, DEFAULT_URL, flag, parseFlags } from '../lib/common';
import { describe, EXIT, SyncFailure, UsageError } from './failures';
import { wakeOnChanges } from './live-wake';
import { LocalCalendar } from './local-calendar';
import { startSyncLoop } from './sync-loop';
import { syncOnce } from './sync-once';

export interface CalendarSyncIo {
  print(line: string): void;
  error(line: string): void;
  signal?: AbortSignal;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function seconds(value: string | true | undefined, fallback: number): number {
  if (value === undefined) return fallback * 1000;
  const n = Number(value);
  if (value === true || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--every takes a number of seconds, not "${value === true ? '' : value}"`);
  return n * 1000;
}

/** The private feed's path for the token's user (calendarFeedUrl: the same URL each time until regenerated). */
async function privateFeedPath(graphqlUrl: string, token: string, organizationId: string): Promise<string> {
  const client = createEventgraphClient({ url: graphqlUrl, credential: token || undefined, webSocketImpl: WebSocket });
  try {
    const { calendarFeedUrl } = await client.request<{ calendarFeedUrl: { path: string } }>(
      'mutation CalendarFeedUrl($organizationId: ID!) { calendarFeedUrl(organizationId: $organizationId) { path } }',
      { organizationId },
    );
    return calendarFeedUrl.path;
  } catch (err) {
    if (!isEventgraphError(err)) throw err;
    if (['NETWORK_ERROR', 'TIMEOUT', 'SUBGRAPH_UNAVAILABLE'].includes(err.code))
      throw new SyncFailure('NETWORK', `cannot ask for the private feed URL: ${err.message}`);
    throw new SyncFailure(
      'REVOKED',
      `the private feed of ${organizationId} was refused: ${err.message} [${err.code}]. Set EVENTGRAPH_TOKEN to a member's access token.`,
    );
  } finally {
    await client.close();
  }
}

async function feedUrl(flags: Record<string, string | true>, env: NodeJS.ProcessEnv, graphqlUrl: string) {
  const org = flag(flags, 'org');
  const feed = flag(flags, 'feed');
  if (org !== undefined && !UUID.test(org)) throw new UsageError(`--org takes an organisation id (a UUID), not "${org}"`);
  if (feed) return new URL(feed, graphqlUrl).toString();
  if (!org) throw new UsageError('Say which feed to keep: --org <organisation id> or --feed <url>.');
  if (flags.private)
    return new URL(await privateFeedPath(graphqlUrl, env.EVENTGRAPH_TOKEN ?? DEFAULT_TOKEN, org), graphqlUrl).toString();
  return new URL(`/calendar/organizations/${org}.ics`, graphqlUrl).toString();
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: CalendarSyncIo): Promise<number> {
  const { flags, positional } = parseFlags(argv);
  const graphqlUrl = env.EVENTGRAPH_URL || DEFAULT_URL;
  let stopLive: (() => Promise<void>) | undefined;
  try {
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"; options start with --`);
    const everyMs = seconds(flags.every, 300);
    if (flags.live && !flag(flags, 'org')) throw new UsageError('--live follows an organisation: add --org <id>.');
    const url = await feedUrl(flags, env, graphqlUrl);
    const local = new LocalCalendar(resolve(flag(flags, 'out') ?? 'calendar.ics'), url);

    if (flags.once) {
      io.print(`${url} → ${local.file}: ${await syncOnce(local)}`);
      return EXIT.OK;
    }
    io.print(`Keeping ${local.file} in sync with ${url} every ${everyMs / 1000} s${flags.live ? ' and on live changes' : ''}`);
    const loop = startSyncLoop({ local, everyMs, print: io.print, error: io.error, signal: io.signal });
    if (flags.live)
      stopLive = wakeOnChanges({
        graphqlUrl,
        credential: (env.EVENTGRAPH_TOKEN ?? DEFAULT_TOKEN) || undefined,
        organizationId: flag(flags, 'org')!,
        onChange: loop.wake,
        print: io.print,
      });
    const failure = await loop.done;
    if (failure) throw failure;
    return EXIT.OK;
  } catch (err) {
    if (err instanceof UsageError) {
      io.error(err.message);
      return EXIT.USAGE;
    }
    if (err instanceof SyncFailure) {
      io.error(`${err.message}${err.reason === 'WRITE' ? '' : '; the local file was left as it was'}`);
      return err.exitCode;
    }
    io.error(`calendar sync failed: ${describe(err)}`);
    return 1;
  } finally {
    await stopLive?.();
  }
}

if (require.main === module) {
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  main(process.argv.slice(2), process.env, {
    print: (line) => console.log(line),
    error: (line) => console.error(line),
    signal: abort.signal,
  }).then((code) => (process.exitCode = code));
}
