import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signPush } from '@eventgraph/subgraph-ingest/src/domain/push-signature';
import { claimDueSources } from '@eventgraph/subgraph-ingest/src/queue';
import { startTestPlatform, subscribe, type TestPlatform } from './support/test-platform';

/**
 * Sources end to end: real HTTP fetches from a feed server on this machine, run by the queue's worker, recorded as
 * fetch runs with their counts and codes, followed live through the gateway; uploads and signed pushes through the
 * gateway's routes; the queue across a restart.
 */
let platform: TestPlatform;
const dataDir = process.env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'eventgraph-sources-'));
let feeds: Server;
let feedBase: string;
let origin: string;
const tag = Math.random().toString(36).slice(2, 8);
let organizationId: string;
const received: Record<string, string | undefined> = {};

const ics = (events: Array<{ uid: string; title: string; start: string }>) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//eventgraph test//EN',
    ...events.flatMap((e) => [
      'BEGIN:VEVENT',
      `UID:${e.uid}`,
      `DTSTAMP:20270101T000000Z`,
      `DTSTART;TZID=Europe/Berlin:${e.start}`,
      `SUMMARY:${e.title}`,
      'LOCATION:Kulturbrauerei\\, Berlin',
      'END:VEVENT',
    ]),
    'END:VCALENDAR',
    '',
  ].join('\r\n');

const CALENDAR = ics([
  { uid: `a-${tag}@feeds.test`, title: `Harbour jazz ${tag}`, start: '20310701T190000' },
  { uid: `b-${tag}@feeds.test`, title: `Poetry slam ${tag}`, start: '20310702T200000' },
  { uid: `c-${tag}@feeds.test`, title: `Morning yoga ${tag}`, start: '20310703T080000' },
]);
const ETAG = `"cal-${tag}"`;

beforeAll(async () => {
  feeds = createServer((req, res) => {
    received[req.url ?? ''] = req.headers['x-api-key'] as string | undefined;
    if (req.url === '/calendar.ics') {
      if (req.headers['if-none-match'] === ETAG) return void res.writeHead(304).end();
      return void res.writeHead(200, { 'content-type': 'text/calendar', etag: ETAG }).end(CALENDAR);
    }
    if (req.url === '/keyed.ics') {
      if (req.headers['x-api-key'] !== `key-${tag}`) return void res.writeHead(401).end();
      return void res.writeHead(200, { 'content-type': 'text/calendar' }).end(CALENDAR);
    }
    if (req.url === '/listing')
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><html><body><h1>Events</h1></body></html>');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => feeds.listen(0, '127.0.0.1', resolve));
  feedBase = `http://127.0.0.1:${(feeds.address() as AddressInfo).port}`;
  // kept on disk (PGlite), so the restart below finds its data
  platform = await startTestPlatform({ embeddedDataDir: dataDir, env: { INGEST_PRIVATE_TARGETS: 'allow' } });
  origin = new URL(platform.gateway.url).origin;
  const { createUser } = await platform.data(
    `mutation { createUser(input: { email: "src-${tag}@example.com", displayName: "Feeds" }) { id } }`,
  );
  organizationId = (
    await platform.data(
      `mutation($u: ID!) { createOrganization(input: { name: "Feeds ${tag}", slug: "feeds-${tag}", ownerId: $u }) { id } }`,
      {
        u: createUser.id,
      },
    )
  ).createOrganization.id;
  // a venue of the organisation: its feeds' places are matched to it once ingest has heard of it
  const venue = {
    organizationId,
    name: 'Kulturbrauerei',
    slug: `kb-${tag}`,
    timeZone: 'Europe/Berlin',
    city: 'Berlin',
    countryCode: 'DE',
    latitude: 52.5391,
    longitude: 13.4128,
  };
  await platform.data(`mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, { input: venue });
  const heard = Date.now() + 10_000;
  while (Date.now() < heard) {
    const known = await platform.subgraphs.ingest!.sql.query(`SELECT 1 FROM "KnownVenue" WHERE "organizationId" = $1::uuid`, [
      organizationId,
    ]);
    if (known.length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
}, 60_000);
afterAll(async () => {
  await platform?.stop();
  feeds?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const RUN = `id trigger status httpStatus errorCode error counts { found new updated unchanged duplicate rejected removed }`;

async function createSource(input: Record<string, unknown>): Promise<string> {
  return (
    await platform.data(`mutation($input: CreateSourceInput!) { createSource(input: $input) { id } }`, {
      input: { organizationId, ...input },
    })
  ).createSource.id;
}

/** Asks for a run and waits, over graphql-ws through the gateway, for the run to end. */
async function runNow(sourceId: string): Promise<Record<string, any>> {
  const stream = subscribe(platform.wsClient(), `subscription($s: ID) { fetchRunProgress(sourceId: $s) { ${RUN} } }`, {
    s: sourceId,
  });
  try {
    await new Promise((r) => setTimeout(r, 200)); // the subscription is open before the run starts
    await platform.data(`mutation($id: ID!) { runSourceNow(id: $id) { id } }`, { id: sourceId });
    for (let n = 1; ; n++) {
      const result = await stream.next(n, 20_000);
      const run = result.data?.fetchRunProgress as Record<string, any> | undefined;
      if (run && run.status !== 'RUNNING') return { run };
    }
  } finally {
    stream.unsubscribe();
  }
}

describe('sources', () => {
  it('fetch a feed over HTTP on demand, count what they staged, and answer an unchanged feed cheaply', async () => {
    const id = await createSource({ name: `Calendar ${tag}`, kind: 'ICAL', url: `${feedBase}/calendar.ics`, scheduleSeconds: 0 });
    const first = await runNow(id);
    expect(first.run).toMatchObject({
      trigger: 'MANUAL',
      status: 'SUCCEEDED',
      httpStatus: 200,
      errorCode: null,
      counts: { found: 3, new: 3, updated: 0, unchanged: 0, rejected: 0, removed: 0 },
    });
    const again = await runNow(id);
    expect(again.run).toMatchObject({ status: 'SUCCEEDED', httpStatus: 304, counts: { found: 0, new: 0 } });
    const { source } = await platform.data(
      `query($id: ID!) { source(id: $id) { health { runCount failureStreak successRate averageRecordsPerRun freshness nextRunAt running } runs { edges { node { id httpStatus } } } currentRun { id } } }`,
      { id },
    );
    expect(source.health).toEqual({
      runCount: 2,
      failureStreak: 0,
      successRate: 1,
      averageRecordsPerRun: 1.5,
      freshness: 'FRESH',
      nextRunAt: null,
      running: false,
    });
    expect(source.runs.edges.map((e: { node: { httpStatus: number } }) => e.node.httpStatus)).toEqual([304, 200]);
    expect(source.currentRun).toBeNull();
    // the history page by page, newest first
    const page = async (after: string | null) =>
      (
        await platform.data(
          `query($id: ID!, $after: String) { source(id: $id) { runs(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }`,
          { id, after },
        )
      ).source.runs;
    const newest = await page(null);
    expect(newest).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, edges: [{ node: { id: again.run.id } }] });
    const older = await page(newest.pageInfo.endCursor);
    expect(older).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: false }, edges: [{ node: { id: first.run.id } }] });
    await expect(page('not-a-cursor')).rejects.toThrow(/"code":"BAD_USER_INPUT"/);
    // "Kulturbrauerei, Berlin" is the organisation's venue, matched before any city
    const { source: staged } = await platform.data(
      `query($id: ID!) { source(id: $id) { records { totalCount edges { node { state place { venueName latitude longitude } } } } } }`,
      { id },
    );
    expect(staged.records.totalCount).toBe(3);
    for (const { node: record } of staged.records.edges)
      expect(record).toEqual({ state: 'ACTIVE', place: { venueName: 'Kulturbrauerei', latitude: 52.5391, longitude: 13.4128 } });
  }, 60_000);

  it('record why a fetch failed with a stable code, while other sources go on', async () => {
    const page = await createSource({ name: `Page ${tag}`, kind: 'RSS', url: `${feedBase}/listing`, scheduleSeconds: 0 });
    const closed = await createSource({
      name: `Gone ${tag}`,
      kind: 'RSS',
      url: 'http://127.0.0.1:9/feed.xml',
      scheduleSeconds: 0,
    });
    const missing = await createSource({
      name: `Missing ${tag}`,
      kind: 'ICAL',
      url: `${feedBase}/nothing.ics`,
      scheduleSeconds: 0,
    });
    const [notAFeed, unreachable, notFound] = await Promise.all([runNow(page), runNow(closed), runNow(missing)]);
    expect(notAFeed.run).toMatchObject({ status: 'FAILED', errorCode: 'NOT_A_FEED', httpStatus: 200 });
    expect(unreachable.run).toMatchObject({ status: 'FAILED', errorCode: 'UNREACHABLE' });
    expect(notFound.run).toMatchObject({ status: 'FAILED', errorCode: 'HTTP_ERROR', httpStatus: 404 });
    for (const { run } of [notAFeed, unreachable, notFound]) expect(run.error).not.toMatch(/at .*\.ts|SELECT|stack/i);
    const { source } = await platform.data(
      `query($id: ID!) { source(id: $id) { health { failureStreak successRate freshness } } }`,
      { id: page },
    );
    expect(source.health).toEqual({ failureStreak: 1, successRate: 0, freshness: 'NEVER' });
  }, 60_000);

  it('send stored credentials to the feed, and never return them', async () => {
    const id = await createSource({
      name: `Keyed ${tag}`,
      kind: 'ICAL',
      url: `${feedBase}/keyed.ics`,
      scheduleSeconds: 0,
      credentials: { kind: 'API_KEY', header: 'X-Api-Key', value: `key-${tag}` },
    });
    expect((await runNow(id)).run).toMatchObject({ status: 'SUCCEEDED', counts: { found: 3 } });
    expect(received['/keyed.ics']).toBe(`key-${tag}`);
    const { body } = await platform.request(`query($id: ID!) { source(id: $id) { hasCredentials credentialKind config } }`, {
      id,
    });
    expect(body.data).toEqual({ source: { hasCredentials: true, credentialKind: 'API_KEY', config: {} } });
    expect(JSON.stringify(body)).not.toContain(`key-${tag}`);
  }, 60_000);

  it('refuse settings that cannot work, naming the field', async () => {
    const refused = async (input: Record<string, unknown>) =>
      (
        await platform.request(`mutation($input: CreateSourceInput!) { createSource(input: $input) { id } }`, {
          input: { organizationId, name: 'x', ...input },
        })
      ).body.errors?.[0]?.extensions;
    expect(await refused({ kind: 'RSS' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    expect(await refused({ kind: 'RSS', url: 'file:///etc/passwd' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    expect(await refused({ kind: 'CSV', config: { columns: { title: 'Name' } } })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'config',
    });
    expect(await refused({ kind: 'ICAL', url: `${feedBase}/x.ics`, scheduleSeconds: 5 })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'scheduleSeconds',
    });
  });

  it('take uploaded files and signed pushes through the gateway, and refuse a replayed push', async () => {
    const csv = await createSource({
      name: `Upload ${tag}`,
      kind: 'CSV',
      config: { columns: { title: 'Title', startsAt: 'Start', location: 'Place' } },
    });
    const upload = await fetch(`${origin}/ingest/sources/${csv}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${platform.devToken}` },
      body: `Title,Start,Place\nUploaded talk ${tag},2031-08-01T18:00:00Z,Berlin\n,2031-08-02T18:00:00Z,Berlin\n`,
    });
    expect(upload.status).toBe(200);
    expect(await upload.json()).toMatchObject({ status: 'PARTIAL', counts: { found: 2, new: 1, rejected: 1 } });

    const push = await createSource({
      name: `Push ${tag}`,
      kind: 'WEBHOOK',
      config: { itemsPath: 'events', fields: { title: 'name', startsAt: 'start', id: 'id' } },
    });
    const { rotatePushSecret } = await platform.data(
      `mutation($s: ID!) { rotatePushSecret(sourceId: $s) { secret source { pushPath } } }`,
      { s: push },
    );
    const body = JSON.stringify({ events: [{ id: `p-${tag}`, name: `Pushed gig ${tag}`, start: '2031-09-01T20:00:00Z' }] });
    const signature = signPush(rotatePushSecret.secret, body, Math.floor(Date.now() / 1000));
    const send = () =>
      fetch(`${origin}${rotatePushSecret.source.pushPath}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-eventgraph-signature': signature },
        body,
      });
    const pushed = await send();
    expect(pushed.status).toBe(200);
    expect(await pushed.json()).toMatchObject({ status: 'SUCCEEDED', counts: { found: 1, new: 1 } });
    const replayed = await send();
    expect(replayed.status).toBe(409);
    expect(await replayed.json()).toMatchObject({ errors: [{ extensions: { code: 'REPLAYED' } }] });
  }, 60_000);

  it('are claimed by one worker at a time, and a run asked for survives a crashed worker and a restart', async () => {
    const id = await createSource({ name: `Queued ${tag}`, kind: 'ICAL', url: `${feedBase}/calendar.ics`, scheduleSeconds: 0 });
    const ingestSql = () => platform.subgraphs.ingest!.sql;
    // a worker that crashed while running the source: its run is left RUNNING, its lease runs out in two seconds
    await ingestSql().execute(
      `UPDATE "Source" SET "runRequestedAt" = now(), "leaseOwner" = 'crashed', "leaseUntil" = now() + interval '2 seconds' WHERE id = $1::uuid`,
      [id],
    );
    await ingestSql().execute(
      `INSERT INTO "FetchRun" (id, "sourceId", trigger, "startedAt") VALUES (gen_random_uuid(), $1::uuid, 'SCHEDULE', now() - interval '1 minute')`,
      [id],
    );
    const restart = await platform.takeDown('ingest');
    await restart();
    const deadline = Date.now() + 20_000;
    let runs: Array<{ trigger: string; status: string; errorCode: string | null }> = [];
    while (Date.now() < deadline) {
      runs = (
        await platform.data(`query($id: ID!) { source(id: $id) { runs { edges { node { trigger status errorCode } } } } }`, {
          id,
        })
      ).source.runs.edges.map((e: { node: (typeof runs)[number] }) => e.node);
      if (runs.length === 2 && runs.every((r) => r.status !== 'RUNNING')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // run once after the restart; the crashed worker's run is ended, not left running for ever
    expect(runs).toEqual([
      { trigger: 'MANUAL', status: 'SUCCEEDED', errorCode: null },
      { trigger: 'SCHEDULE', status: 'FAILED', errorCode: 'INTERNAL_ERROR' },
    ]);

    // two workers racing for one due source: one gets it
    await ingestSql().execute(
      `UPDATE "Source" SET "nextRunAt" = now() - interval '1 second', active = false WHERE id = $1::uuid`,
      [id],
    );
    await ingestSql().execute(`UPDATE "Source" SET active = true, "leaseOwner" = NULL, "leaseUntil" = NULL WHERE id = $1::uuid`, [
      id,
    ]);
    const claims = await Promise.all(['w1', 'w2', 'w3'].map((w) => claimDueSources(ingestSql(), `${w}-${tag}`, 60_000, 50)));
    const claimedThis = claims.map((c) => c.filter((s) => s.id === id).length);
    expect(claimedThis.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
  }, 60_000);
});
