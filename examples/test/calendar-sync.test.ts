// The calendar-sync CLI as a child process against the real platform: the file it keeps is read back with ical.js.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMember, as, signUp, type Account } from '../../platform/test/support/accounts';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';
import { liveSubscriptions, trackLiveSubscriptions } from '../../sdk/test/support';
import { killClis, startCli, until, type CliProcess } from './support/cli-process';

// ical.js is an ES module with a CommonJS build; Jest runs this file as CommonJS
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

const CLI = join(__dirname, '..', 'calendar-sync', 'main.ts');

let platform: TestPlatform;
let dir: string;
let org: string;
let venue: string;
let slugs = 0;

type Sync = CliProcess;

const startSync = (args: string[], env: Record<string, string> = {}): Sync =>
  startCli(CLI, args, { EVENTGRAPH_URL: platform.gateway.url, ...env });

/** a --once run to its end */
async function once(args: string[], env?: Record<string, string>) {
  const sync = startSync(['--once', ...args], env);
  return { code: await sync.exited, stdout: sync.lines.join('\n'), stderr: sync.stderr() };
}

/** the events in the local file, as a calendar app reads them */
async function eventsIn(file: string) {
  const calendar = new ICAL.Component(ICAL.parse(await readFile(file, 'utf8')));
  return calendar.getAllSubcomponents('vevent').map((c) => {
    const event = new ICAL.Event(c);
    return {
      uid: event.uid,
      title: event.summary,
      start: event.startDate.toJSDate().toISOString(),
      status: (c.getFirstPropertyValue('status') as string | null) ?? 'CONFIRMED',
    };
  });
}

const fileId = async (file: string) => {
  const s = await stat(file);
  return { ino: s.ino, mtimeMs: s.mtimeMs };
};

async function createEvent(title: string, startsAt: string, publish = true): Promise<string> {
  const { createEvent: event } = await platform.data(
    `mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`,
    {
      input: {
        venueId: venue,
        title,
        slug: `sync-${slugs++}-${Date.now().toString(36)}`,
        startsAt,
        endsAt: new Date(Date.parse(startsAt) + 3 * 3_600_000).toISOString(),
      },
    },
  );
  if (publish) await transition(event.id, 'PUBLISHED');
  return event.id;
}

const transition = (id: string, to: string) =>
  platform.data(`mutation($id: ID!, $to: EventStatus!) { transitionEvent(id: $id, to: $to) { status } }`, { id, to });

let concert: string;
let lecture: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  trackLiveSubscriptions(platform);
  dir = await mkdtemp(join(tmpdir(), 'eventgraph-calendar-sync-'));
  const tag = Math.random().toString(36).slice(2, 8);
  const { createUser: owner } = await platform.data(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
    input: { email: `sync-${tag}@example.com`, displayName: 'Sync Owner' },
  });
  ({
    createOrganization: { id: org },
  } = await platform.data(`mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`, {
    input: { name: `Sync ${tag}`, slug: `sync-${tag}`, ownerId: owner.id },
  }));
  ({
    createVenue: { id: venue },
  } = await platform.data(`mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, {
    input: { organizationId: org, name: 'Hall', slug: `hall-${tag}`, timeZone: 'Europe/Berlin', city: 'Berlin' },
  }));
  concert = await createEvent('Concert', '2027-05-01T18:00:00.000Z');
  lecture = await createEvent('Lecture', '2027-05-02T09:00:00.000Z');
  await createEvent('Draft idea', '2027-05-03T09:00:00.000Z', false);
}, 60_000);

afterEach(killClis);

afterAll(async () => {
  killClis();
  await platform?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('calendar-sync', () => {
  it('keeps the file current: published events first, a change and a cancellation within a second of happening', async () => {
    const file = join(dir, 'live.ics');
    const sync = startSync(['--org', org, '--out', file, '--every', '600', '--live']);
    expect(await sync.line(/ created: /)).toMatch(/^\S+Z created: 2 events, 0 cancelled$/);
    expect((await eventsIn(file)).map((e) => [e.uid, e.title, e.start]).sort()).toEqual(
      [
        [`${concert}@eventgraph`, 'Concert', '2027-05-01T18:00:00.000Z'],
        [`${lecture}@eventgraph`, 'Lecture', '2027-05-02T09:00:00.000Z'],
      ].sort(),
    );
    // the ETag is kept next to the file, for the next conditional request
    const state = JSON.parse(await readFile(`${file}.sync.json`, 'utf8'));
    const served = await fetch(new URL(`/calendar/organizations/${org}.ics`, platform.gateway.url));
    expect(state.etag).toBe(served.headers.get('etag'));
    await sync.line(/^live: following changes of organisation/);
    await until('the live subscription', () => liveSubscriptions(platform, 'event.*') >= 1);

    // the poll interval is 10 minutes: only the live wake-up can bring these in
    let from = sync.lines.length;
    let changedAt = Date.now();
    await platform.data(`mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id } }`, {
      id: concert,
      input: { title: 'Concert (moved)', startsAt: '2027-05-01T20:00:00.000Z', endsAt: '2027-05-01T23:00:00.000Z' },
    });
    expect(await sync.line(/ updated: /, from)).toMatch(/ updated: 2 events, 0 cancelled \(0 new, 1 changed, 0 removed\)$/);
    expect(Date.now() - changedAt).toBeLessThan(2000);
    expect((await eventsIn(file)).find((e) => e.uid === `${concert}@eventgraph`)).toMatchObject({
      title: 'Concert (moved)',
      start: '2027-05-01T20:00:00.000Z',
    });

    // a cancelled event stays in the feed, marked cancelled, so calendars strike it through
    from = sync.lines.length;
    changedAt = Date.now();
    await transition(lecture, 'CANCELLED');
    expect(await sync.line(/ updated: /, from)).toMatch(/ updated: 2 events, 1 cancelled \(0 new, 1 changed, 0 removed\)$/);
    expect(Date.now() - changedAt).toBeLessThan(2000);
    expect((await eventsIn(file)).find((e) => e.uid === `${lecture}@eventgraph`)).toMatchObject({
      title: 'Lecture',
      status: 'CANCELLED',
    });

    // Ctrl+C ends it cleanly
    sync.child.kill('SIGINT');
    expect(await sync.exited).toBe(0);
    expect(sync.stderr()).toBe('');
  });

  it('answers an unchanged feed with 304 and leaves the file alone, polling and with --once', async () => {
    const file = join(dir, 'polled.ics');
    const sync = startSync(['--org', org, '--out', file, '--every', '0.3']);
    await sync.line(/ created: /);
    const written = await fileId(file);
    await sync.line(/ unchanged \(304\)$/);
    const from = sync.lines.length;
    await sync.line(/ unchanged \(304\)$/, from);
    sync.child.kill('SIGTERM');
    expect(await sync.exited).toBe(0);

    const again = await once(['--org', org, '--out', file]);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toBe(
      `${new URL(`/calendar/organizations/${org}.ics`, platform.gateway.url)} → ${file}: unchanged (304)`,
    );
    expect(await fileId(file)).toEqual(written);

    // a file edited by hand no longer matches the kept ETag: it is fetched in full and replaced
    await writeFile(file, 'edited by hand\n');
    const refreshed = await once(['--org', org, '--out', file]);
    expect(refreshed.code).toBe(0);
    expect(refreshed.stdout).toMatch(/: created: \d+ events, \d+ cancelled$/);
    expect((await eventsIn(file)).length).toBeGreaterThan(0);
  });

  it('refuses a missing organisation and a body that is not iCalendar, leaving the good file untouched', async () => {
    const file = join(dir, 'kept.ics');
    expect((await once(['--org', org, '--out', file])).code).toBe(0);
    const good = await readFile(file, 'utf8');
    const before = await fileId(file);

    const missing = await once(['--org', '00000000-0000-4000-8000-000000000000', '--out', file]);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toMatch(
      /^there is no calendar feed at http:\/\/\S+\/calendar\/organizations\/00000000-0000-4000-8000-000000000000\.ics \(404: no such calendar feed\); check the id; the local file was left as it was\n$/,
    );

    // a URL that answers 200 with something else (here the gateway's health check)
    const wrong = await once(['--feed', '/health', '--out', file]);
    expect(wrong.code).toBe(65);
    expect(wrong.stderr).toMatch(/^the feed answered application\/json, not iCalendar \(it starts "\{/);

    const usage = await once(['--org', 'not-an-id', '--out', file]);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toBe('--org takes an organisation id (a UUID), not "not-an-id"\n');

    expect(await readFile(file, 'utf8')).toBe(good);
    expect(await fileId(file)).toEqual(before);
  });

  it('keeps the file while the gateway is unreachable, retries with back-off, and catches up when it is back', async () => {
    const file = join(dir, 'outage.ics');
    const closed = await closedPort();
    const offline = await once(['--org', org, '--out', file], { EVENTGRAPH_URL: `http://127.0.0.1:${closed}/graphql` });
    expect(offline.code).toBe(69);
    expect(offline.stderr).toMatch(
      /^cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED.*\); the local file was left as it was\n$/,
    );

    const sync = startSync(['--org', org, '--out', file, '--every', '1']);
    await sync.line(/ created: /);
    const good = await readFile(file, 'utf8');
    const restart = await platform.stopGateway();
    await until('two retries', () => (sync.stderr().match(/retrying in/g) ?? []).length >= 2, 15_000);
    const retries = sync.stderr().trim().split('\n');
    for (const line of retries)
      expect(line).toMatch(
        /^\S+Z cannot reach http:\/\/\S+ \(ECONNREFUSED.*\); \S+outage\.ics kept as it was; retrying in \d+\.\d s$/,
      );
    expect(sync.child.exitCode).toBeNull();
    expect(await readFile(file, 'utf8')).toBe(good);

    await restart();
    const from = sync.lines.length;
    await createEvent('After the outage', '2027-06-01T10:00:00.000Z');
    expect(await sync.line(/ updated: /, from)).toMatch(/ updated: \d+ events, \d+ cancelled \(1 new, 0 changed, 0 removed\)$/);
    expect((await eventsIn(file)).map((e) => e.title)).toContain('After the outage');
    sync.child.kill('SIGTERM');
    expect(await sync.exited).toBe(0);
  });

  describe('a private feed', () => {
    let member: Account;
    let privateEvent: string;

    beforeAll(async () => {
      member = await signUp(platform, 'calendar-sync-member');
      await addMember(platform, { accessToken: platform.devToken } as Account, org, member, 'MEMBER');
      privateEvent = await createEvent('Staff meeting', '2027-05-04T08:00:00.000Z', false);
      await platform.data(`mutation($id: ID!) { updateEvent(id: $id, input: { visibility: PRIVATE }) { id } }`, {
        id: privateEvent,
      });
      await transition(privateEvent, 'PUBLISHED');
    });

    it("syncs a member's private feed, and stops with a readable message once its URL is regenerated", async () => {
      const file = join(dir, 'private.ics');
      const first = await once(['--org', org, '--private', '--out', file], { EVENTGRAPH_TOKEN: member.accessToken });
      expect(first.code).toBe(0);
      const [, feedUrl] = /^(\S+) → /.exec(first.stdout)!;
      expect(feedUrl).toMatch(/\/calendar\/private\/egc_[A-Za-z0-9_-]{43}\.ics$/);
      expect((await eventsIn(file)).map((e) => e.title)).toContain('Staff meeting');

      // the anonymous public feed does not carry it
      const publicFile = join(dir, 'public.ics');
      expect((await once(['--org', org, '--out', publicFile])).code).toBe(0);
      expect((await eventsIn(publicFile)).map((e) => e.title)).not.toContain('Staff meeting');

      const sync = startSync(['--feed', feedUrl!, '--out', file, '--every', '0.3']);
      await sync.line(/ unchanged \(304\)$/);
      const kept = await readFile(file, 'utf8');
      const { body } = await as(platform, member)(
        `mutation($org: ID!) { regenerateCalendarFeedUrl(organizationId: $org) { path } }`,
        {
          org,
        },
      );
      expect(body.errors).toBeUndefined();
      expect(await sync.exited).toBe(77);
      expect(sync.stderr()).toMatch(
        /^this private feed URL is no longer valid \(404\): it was regenerated \(regenerateCalendarFeedUrl\) or its owner left; ask calendarFeedUrl for the current one; the local file was left as it was\n$/,
      );
      expect(await readFile(file, 'utf8')).toBe(kept);

      // without a member's token, no private feed
      const refused = await once(['--org', org, '--private', '--out', join(dir, 'nobody.ics')], { EVENTGRAPH_TOKEN: '' });
      expect(refused.code).toBe(77);
      expect(refused.stderr).toMatch(
        /^the private feed of \S+ was refused: .+ \[(UNAUTHENTICATED|FORBIDDEN)\]\. Set EVENTGRAPH_TOKEN/,
      );
      await expect(stat(join(dir, 'nobody.ics'))).rejects.toThrow(/ENOENT/);
    });
  });
});

/** a port nothing listens on */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
