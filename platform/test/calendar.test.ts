// ical.js is an ES module with a CommonJS build; this package is CommonJS
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;
import { createDemoWorld } from './support/demo-data';
import { addMember, as, signUp, type Account } from './support/accounts';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
let base: string;
let slugs = 0;

const gql = (query: string, variables?: Record<string, unknown>) => platform.data(query, variables);
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

async function feed(path: string) {
  const response = await get(path);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { response, text, events: veventsOf(text) };
}

function veventsOf(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return calendar.getAllSubcomponents('vevent').map((c) => ({
    uid: c.getFirstPropertyValue('uid') as string,
    summary: c.getFirstPropertyValue('summary') as string,
    sequence: Number(c.getFirstPropertyValue('sequence')),
    status: c.getFirstPropertyValue('status') as string,
  }));
}

async function createEvent(title: string, input: Record<string, unknown> = {}, publish = true): Promise<string> {
  const { createEvent: event } = await gql(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
    input: {
      venueId: world.venue.id,
      title,
      slug: `cal-${slugs++}`,
      startsAt: '2027-03-27T18:00:00Z',
      endsAt: '2027-03-28T02:00:00Z',
      ...input,
    },
  });
  if (publish) await gql(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: event.id });
  return event.id;
}

/** The checks Google and Apple calendars rely on. */
function checkStrictly(text: string): void {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
  const unfolded = text.replace(/\r\n[ \t]/g, '');
  const used = new Set([...unfolded.matchAll(/;TZID=([^:;]+)/g)].map((m) => m[1]));
  const defined = new Set([...unfolded.matchAll(/^TZID:(.+)$/gm)].map((m) => m[1]));
  expect(used.size).toBeGreaterThan(0);
  for (const tzid of used) expect(defined).toContain(tzid);
  const vevents = unfolded.split('BEGIN:VEVENT').slice(1);
  expect(new Set(vevents.map((e) => /^UID:(.+)$/m.exec(e)?.[1])).size).toBe(vevents.length);
  for (const e of vevents) expect(e).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/m);
}

let publicId: string;
let unlistedId: string;
let privateId: string;
let draftId: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  base = platform.gateway.url.replace(/\/graphql$/, '');
  world = await createDemoWorld(platform);
  publicId = await createEvent('Open air, "jazz"; night', {
    description: '<p>Bring <strong>chairs</strong></p>',
    categories: ['Jazz'],
  });
  unlistedId = await createEvent('Unlisted rehearsal', { visibility: 'UNLISTED' });
  privateId = await createEvent('Staff party', { visibility: 'PRIVATE' });
  draftId = await createEvent('Draft idea', {}, false);
});
afterAll(() => platform?.stop());

describe('public feeds', () => {
  it('serve an organisation feed with only what anyone may see, valid for Google and Apple', async () => {
    const { response, text, events } = await feed(`/calendar/organizations/${world.org.id}.ics`);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^inline; filename=".+\.ics"$/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const uids = events.map((e) => e.uid);
    expect(uids).toContain(`${publicId}@eventgraph`);
    for (const hidden of [unlistedId, privateId, draftId]) expect(uids).not.toContain(`${hidden}@eventgraph`);
    expect(events.find((e) => e.uid === `${publicId}@eventgraph`)!.summary).toBe('Open air, "jazz"; night');
    expect(text).toContain('DTSTART;TZID=Europe/Berlin:20270327T190000');
    expect(text).toContain('DTEND;TZID=Europe/Berlin:20270328T040000'); // across the DST change
    expect(text).toContain('DESCRIPTION:Bring chairs');
    checkStrictly(text);
  });

  it('serve a venue feed and per-event feeds (unlisted ones too, by id)', async () => {
    const venue = await feed(`/calendar/venues/${world.venue.id}.ics`);
    expect(venue.events.map((e) => e.uid)).toContain(`${publicId}@eventgraph`);
    expect(venue.text).toContain('X-WR-TIMEZONE:Europe/Berlin');
    const unlisted = await feed(`/calendar/events/${unlistedId}.ics`);
    expect(unlisted.events.map((e) => e.uid)).toEqual([`${unlistedId}@eventgraph`]);
    checkStrictly(unlisted.text);
    expect((await get(`/calendar/events/${privateId}.ics`)).status).toBe(404);
    expect((await get(`/calendar/events/${draftId}.ics`)).status).toBe(404);
  });

  it('bump SEQUENCE, keep the UID, and change the ETag when an event changes; 304 otherwise', async () => {
    const first = await feed(`/calendar/events/${publicId}.ics`);
    const etag = first.response.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect((await get(`/calendar/events/${publicId}.ics`, { 'if-none-match': etag })).status).toBe(304);
    await gql(`mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id } }`, {
      id: publicId,
      input: { title: 'Open air, moved' },
    });
    const second = await feed(`/calendar/events/${publicId}.ics`);
    expect(second.events[0]!.uid).toBe(first.events[0]!.uid);
    expect(second.events[0]!.sequence).toBeGreaterThan(first.events[0]!.sequence);
    expect(second.events[0]!.summary).toBe('Open air, moved');
    expect(second.response.headers.get('etag')).not.toBe(etag);
    expect((await get(`/calendar/events/${publicId}.ics`, { 'if-none-match': etag })).status).toBe(200);
  });

  it('keep an archived event, marked cancelled, in the feeds that showed it', async () => {
    const id = await createEvent('Called off');
    const before = (await feed(`/calendar/events/${id}.ics`)).events[0]!;
    await gql(`mutation($id: ID!) { transitionEvent(id: $id, to: ARCHIVED) { status } }`, { id });
    // the publication is projected from the bus: give it a moment
    let cancelled: ReturnType<typeof veventsOf>[number] | undefined;
    for (let i = 0; i < 50 && !cancelled; i++) {
      const { events } = await feed(`/calendar/organizations/${world.org.id}.ics`);
      cancelled = events.find((e) => e.uid === `${id}@eventgraph`);
      if (!cancelled) await new Promise((r) => setTimeout(r, 100));
    }
    expect(cancelled).toMatchObject({ status: 'CANCELLED' });
    expect(cancelled!.sequence).toBeGreaterThan(before.sequence);
    expect((await feed(`/calendar/events/${id}.ics`)).events[0]!.status).toBe('CANCELLED');
    // an archived draft was never public: it stays out
    await gql(`mutation($id: ID!) { transitionEvent(id: $id, to: ARCHIVED) { status } }`, { id: draftId });
    expect((await get(`/calendar/events/${draftId}.ics`)).status).toBe(404);
  });

  it('answer 404 for unknown ids and paths, 400 for malformed ids, 405 for other methods', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const kind of ['organizations', 'venues', 'events']) {
      expect((await get(`/calendar/${kind}/${unknown}.ics`)).status).toBe(404);
      expect((await get(`/calendar/${kind}/not-a-uuid.ics`)).status).toBe(400);
    }
    expect((await get(`/calendar/private/egc_${'x'.repeat(43)}.ics`)).status).toBe(404);
    expect((await get('/calendar/private/nope.ics')).status).toBe(400);
    expect((await get('/calendar/somewhere/else')).status).toBe(404);
    expect((await fetch(`${base}/calendar/events/${publicId}.ics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('private feeds', () => {
  let member: Account;
  let path: string;

  let membershipId: string;

  beforeAll(async () => {
    member = await signUp(platform, 'calendar-member');
    // invited by the platform service (the development credential)
    membershipId = await addMember(platform, { accessToken: platform.devToken } as Account, world.org.id, member, 'MEMBER');
  });

  const feedUrl = async (account: Account, mutation = 'calendarFeedUrl') => {
    const { body } = await as(platform, account)(
      `mutation($org: ID!) { ${mutation}(organizationId: $org) { path token organizationId } }`,
      { org: world.org.id },
    );
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return (body.data as any)[mutation] as { path: string; token: string };
  };

  it("give a member a stable secret URL that includes the organisation's private events", async () => {
    const url = await feedUrl(member);
    expect(url.token).toMatch(/^egc_[A-Za-z0-9_-]{43}$/);
    expect(url.path).toBe(`/calendar/private/${url.token}.ics`);
    expect((await feedUrl(member)).path).toBe(url.path);
    path = url.path;
    const { response, text, events } = await feed(path);
    expect(response.headers.get('cache-control')).toBe('private, max-age=300');
    const uids = events.map((e) => e.uid);
    expect(uids).toEqual(expect.arrayContaining([`${privateId}@eventgraph`, `${unlistedId}@eventgraph`]));
    expect(uids).not.toContain(`${draftId}@eventgraph`);
    checkStrictly(text);
  });

  it('refuse outsiders and anonymous callers', async () => {
    const outsider = await signUp(platform, 'calendar-outsider');
    const { body } = await as(platform, outsider)(`mutation($org: ID!) { calendarFeedUrl(organizationId: $org) { path } }`, {
      org: world.org.id,
    });
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anon = await platform.request(
      `mutation($org: ID!) { calendarFeedUrl(organizationId: $org) { path } }`,
      { org: world.org.id },
      { token: null },
    );
    expect(anon.body.errors?.[0]?.extensions?.code).toMatch(/UNAUTHENTICATED|FORBIDDEN/);
    // the feed query itself is not part of the public API
    const hidden = await platform.request(`{ _calendarFeed(kind: "EVENT", id: "${publicId}") { ics } }`);
    expect(hidden.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('regenerate: the old URL answers 404 at once', async () => {
    const fresh = await feedUrl(member, 'regenerateCalendarFeedUrl');
    expect(fresh.path).not.toBe(path);
    expect((await get(path)).status).toBe(404);
    expect((await get(fresh.path)).status).toBe(200);
    path = fresh.path;
  });

  it('stop showing private events once the user leaves the organisation', async () => {
    await gql(`mutation($id: ID!) { removeMember(membershipId: $id) }`, { id: membershipId });
    const { events } = await feed(path);
    const uids = events.map((e) => e.uid);
    expect(uids).not.toContain(`${privateId}@eventgraph`);
    expect(uids).not.toContain(`${unlistedId}@eventgraph`);
    expect(uids).toContain(`${publicId}@eventgraph`);
  });
});
