import { createOrganization, as, type Account } from './support/accounts';
import { openEventStream, type EventStreamClient } from '@eventgraph/gateway/test/sse/event-stream-client';
import { startTestPlatform, type TestPlatform } from './support/test-platform';
import { person, until } from './support/ticket-sales';

/**
 * Server-sent events through the real gateway, read as `curl -N` would: the stream opens once the owning
 * subgraph accepted the subscription, carries each change as `next` with an id, replays what a reader
 * missed after its Last-Event-ID (or says `reset` when it no longer can), and lets go of its subscription
 * once nobody has read it for the replay window. CI runs it on PGlite and on PostgreSQL with NATS.
 */
// small bounds so the test can cross them: 3 events and 2 s of replay, a keep-alive every second
process.env.EVENTGRAPH_SSE_REPLAY_EVENTS = '3';
process.env.EVENTGRAPH_SSE_REPLAY_SECONDS = '2';
process.env.EVENTGRAPH_SSE_KEEPALIVE_SECONDS = '1';

let platform: TestPlatform;
const people = {} as Record<'ownerA' | 'ownerB', Account>;
const ids = {} as { orgA: string; orgB: string; eventA: string; eventB: string };
let venueA: string;
const venues: string[] = [];
const streams: EventStreamClient[] = [];
let edits = 0;

const base = () => platform.gateway.url.replace(/\/graphql$/, '');
async function open(path: string, who: Account | null, headers: Record<string, string> = {}) {
  const stream = await openEventStream(`${base()}${path}`, {
    ...(who ? { authorization: `Bearer ${who.accessToken}` } : {}),
    ...headers,
  });
  streams.push(stream);
  return stream;
}

async function ok(who: Account, query: string, variables: Record<string, unknown>) {
  const { body } = await as(platform, who)(query, variables);
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data as Record<string, any>;
}

async function draftEvent(who: Account, organizationId: string) {
  const n = edits++;
  const { createVenue } = await ok(who, `mutation($i: CreateVenueInput!) { createVenue(input: $i) { id } }`, {
    i: { organizationId, name: `Hall ${n}`, slug: `sse-hall-${n}-${Date.now().toString(36)}`, timeZone: 'Europe/Berlin' },
  });
  const startsAt = Date.now() + 7 * 86_400_000;
  const { createEvent } = await ok(who, `mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, {
    i: {
      venueId: createVenue.id,
      title: `Private ${n}`,
      slug: `sse-${n}-${Date.now().toString(36)}`,
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + 3_600_000).toISOString(),
    },
  });
  venues.push(createVenue.id);
  return createEvent.id as string;
}

/** Changes the event's title (an UPDATED change on the bus) and returns the new title. */
async function retitle(who: Account, eventId: string) {
  const title = `Edit ${edits++}`;
  await ok(who, `mutation($id: ID!, $i: UpdateEventInput!) { updateEvent(id: $id, input: $i) { id } }`, {
    id: eventId,
    i: { title },
  });
  return title;
}

const titled = (title: string) => (m: { event?: string; data?: string }) =>
  m.event === 'next' && JSON.parse(m.data!).data?.eventChanged?.event?.title === title;

beforeAll(async () => {
  platform = await startTestPlatform();
  people.ownerA = await person(platform, 'sse-owner-a');
  people.ownerB = await person(platform, 'sse-owner-b');
  ids.orgA = await createOrganization(platform, people.ownerA, 'sse-a');
  ids.orgB = await createOrganization(platform, people.ownerB, 'sse-b');
  ids.eventA = await draftEvent(people.ownerA, ids.orgA);
  venueA = venues[0]!;
  ids.eventB = await draftEvent(people.ownerB, ids.orgB);
}, 60_000);

afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await platform?.stop();
});

describe('server-sent events', () => {
  it('streams a change as `next` with an id, after the retry hint and the position; keep-alive comments in between', async () => {
    const stream = await open(`/events/stream?organizationId=${ids.orgA}`, people.ownerA);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toContain('no-cache');
    const [opening] = stream.messages.length ? stream.messages : [await stream.until(() => true)];
    expect(opening).toMatchObject({ retry: expect.any(Number), id: expect.stringMatching(/^[\w-]+\.0$/) });
    const title = await retitle(people.ownerA, ids.eventA);
    const change = await stream.until(titled(title));
    expect(change.id).toMatch(/^[\w-]+\.1$/);
    expect(JSON.parse(change.data!)).toEqual({
      data: {
        eventChanged: { kind: 'UPDATED', changedFields: ['title'], event: expect.objectContaining({ id: ids.eventA, title }) },
      },
    });
    await stream.until((m) => m.comment === 'keep-alive', 3_000);
  });

  it('follows any subscription through /graphql/stream, GraphQL over SSE style', async () => {
    const query = `subscription($id: ID) { eventChanged(eventId: $id) { kind event { title organization { id } } } }`;
    const params = new URLSearchParams({ query, variables: JSON.stringify({ id: ids.eventA }) });
    const stream = await open(`/graphql/stream?${params}`, people.ownerA);
    expect(stream.status).toBe(200);
    const title = await retitle(people.ownerA, ids.eventA);
    const change = await stream.until((m) => m.event === 'next');
    expect(JSON.parse(change.data!)).toEqual({
      data: { eventChanged: { kind: 'UPDATED', event: { title, organization: { id: ids.orgA } } } },
    });
    // or POSTed, as GraphQL over SSE clients send it
    const post = (body: string) =>
      fetch(`${base()}/graphql/stream`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${people.ownerA.accessToken}`,
        },
        body,
      });
    const posted = await post(JSON.stringify({ query, variables: { id: ids.eventA } }));
    expect([posted.status, posted.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8']);
    await posted.body!.cancel();
    const malformed = await post('{ not json');
    expect([malformed.status, ((await malformed.json()) as any).errors[0].extensions.code]).toEqual([400, 'BAD_REQUEST']);
  });

  it("keeps the filter: another organisation's private changes never reach a stranger", async () => {
    const insider = await open(`/events/stream?organizationId=${ids.orgA}`, people.ownerA);
    const stranger = await open(`/events/stream?organizationId=${ids.orgA}`, people.ownerB);
    const anonymous = await open(`/events/stream?eventId=${ids.eventA}`, null);
    expect([stranger.status, anonymous.status]).toEqual([200, 200]);
    const title = await retitle(people.ownerA, ids.eventA);
    await insider.until(titled(title));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stranger.nexts()).toEqual([]);
    expect(anonymous.nexts()).toEqual([]);
  });

  it('follows a venue’s live status at /venues/stream, the parameters choosing the field', async () => {
    const stream = await open(`/venues/stream?venueId=${venueA}`, null);
    expect(stream.status).toBe(200);
    await ok(people.ownerA, `mutation($v: ID!, $i: SetVenueStatusInput!) { setVenueStatus(venueId: $v, input: $i) { id } }`, {
      v: venueA,
      i: { crowdLevel: 'PACKED', waitMinutes: 45 },
    });
    const change = await stream.until((m) => m.event === 'next');
    expect(JSON.parse(change.data!).data.venueStatusChanged).toMatchObject({
      venueId: venueA,
      changed: ['liveStatus'],
      liveStatus: { crowdLevel: 'PACKED', waitMinutes: 45, source: 'BUSINESS' },
    });
    const refused = async (path: string) => {
      const answer = await open(path, null);
      return [answer.status, answer.json.errors[0]?.extensions?.code];
    };
    expect([
      await refused('/venues/stream?venueId=00000000-0000-4000-8000-000000000000'),
      await refused('/venues/stream?cell=u33d'),
      await refused(`/venues/stream?venueId=${venueA}&cell=G10y0x0`),
      await refused('/venues/stream'),
    ]).toEqual([
      [404, 'NOT_FOUND'],
      [400, 'BAD_USER_INPUT'],
      [400, 'BAD_USER_INPUT'],
      [400, 'BAD_USER_INPUT'],
    ]);
  });

  it('refuses before streaming, with the status and code the subscription would give', async () => {
    const refused = async (path: string, who: Account | null, headers: Record<string, string> = {}) => {
      const stream = await open(path, who, headers);
      return { status: stream.status, code: stream.json.errors[0]?.extensions?.code };
    };
    const checkIns = `subscription($s: ID!) { checkInRecorded(seriesId: $s) { allowed } }`;
    const availability = `subscription($e: ID!) { ticketAvailabilityChanged(eventId: $e) { id } }`;
    const graphql = (query: string, variables: Record<string, unknown>) =>
      `/graphql/stream?${new URLSearchParams({ query, variables: JSON.stringify(variables) })}`;
    const badToken = { authorization: 'Bearer not-a-token' };
    expect({
      // the subgraph's own refusals, answered before the stream starts
      noFilter: await refused('/events/stream', people.ownerA),
      badId: await refused('/events/stream?organizationId=nope', people.ownerA),
      anonymousCheckIns: await refused(graphql(checkIns, { s: ids.eventA }), null),
      othersEvent: await refused(graphql(availability, { e: ids.eventB }), people.ownerA),
      // the gateway's
      badCredential: await refused(`/events/stream?organizationId=${ids.orgA}`, null, badToken),
      unknownParameter: await refused(`/events/stream?organisation=${ids.orgA}`, people.ownerA),
      tokenInUrl: await refused(`/events/stream?access_token=${people.ownerA.accessToken}`, null),
      badVariables: await refused(`/graphql/stream?query=subscription{x}&variables=nope`, people.ownerA),
      notASubscription: await refused(graphql('{ me { id } }', {}), people.ownerA),
      notGraphQL: await refused(graphql('subscription {', {}), people.ownerA),
    }).toEqual({
      noFilter: { status: 400, code: 'BAD_USER_INPUT' },
      badId: { status: 400, code: 'BAD_USER_INPUT' },
      anonymousCheckIns: { status: 401, code: 'UNAUTHENTICATED' },
      othersEvent: { status: 404, code: 'NOT_FOUND' },
      badCredential: { status: 401, code: 'UNAUTHENTICATED' },
      unknownParameter: { status: 400, code: 'BAD_USER_INPUT' },
      tokenInUrl: { status: 400, code: 'BAD_USER_INPUT' },
      badVariables: { status: 400, code: 'BAD_REQUEST' },
      notASubscription: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
      notGraphQL: { status: 400, code: 'GRAPHQL_PARSE_FAILED' },
    });
  });

  it('replays what a reader missed after its Last-Event-ID, then goes on live', async () => {
    const path = `/events/stream?eventId=${ids.eventA}`;
    // a second reader of the same stream shows when the changes have reached the gateway
    const witness = await open(path, people.ownerA);
    const reader = await open(path, people.ownerA);
    const first = await reader.until(titled(await retitle(people.ownerA, ids.eventA)));
    await reader.close();
    const missed = [await retitle(people.ownerA, ids.eventA), await retitle(people.ownerA, ids.eventA)];
    const witnessed = await Promise.all(missed.map((title) => witness.until(titled(title))));
    const back = await open(path, people.ownerA, { 'last-event-id': first.id! });
    await back.until(titled(missed[1]!));
    expect(back.nexts().map((m) => [m.id, m.data.eventChanged.event.title])).toEqual(witnessed.map((m, i) => [m.id, missed[i]]));
    const live = await retitle(people.ownerA, ids.eventA);
    await back.until(titled(live));
  });

  it('says `reset` when the events after Last-Event-ID are no longer kept (or were never this stream’s)', async () => {
    const path = `/events/stream?organizationId=${ids.orgA}&eventId=${ids.eventA}`;
    const witness = await open(path, people.ownerA);
    const reader = await open(path, people.ownerA);
    const first = await reader.until(titled(await retitle(people.ownerA, ids.eventA)));
    await reader.close();
    // one more than the 3 kept
    for (let i = 0; i < 4; i++) await witness.until(titled(await retitle(people.ownerA, ids.eventA)));
    for (const lastEventId of [first.id!, 'unknown.7']) {
      const back = await open(path, people.ownerA, { 'last-event-id': lastEventId });
      const reset = await back.until((m) => m.event === 'reset');
      expect(JSON.parse(reset.data!).errors[0].extensions.code).toBe('EVENTS_MISSED');
      expect(back.nexts()).toEqual([]);
      // from its position on, the stream goes on
      await back.until(titled(await retitle(people.ownerA, ids.eventA)));
    }
  });

  it('ends with `error` when the caller’s credential is revoked while reading', async () => {
    const app = await ok(
      people.ownerA,
      `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Board", whiteLabel: { brandName: "Board" }) { id } }`,
      { o: ids.orgA },
    );
    const { createApiKey: key } = await ok(
      people.ownerA,
      `mutation($a: ID!) { createApiKey(partnerAppId: $a, name: "board", scopes: ["events:read"]) { apiKey { id } secret } }`,
      { a: app.createPartnerApp.id },
    );
    const stream = await open(`/events/stream?organizationId=${ids.orgA}`, { accessToken: key.secret } as Account);
    expect(stream.status).toBe(200);
    await ok(people.ownerA, `mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: key.apiKey.id });
    const error = await stream.until((m) => m.event === 'error');
    expect(JSON.parse(error.data!).errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIAL' });
    await stream.closed; // the gateway ends the response; reconnecting is refused with 401
    expect((await open(`/events/stream?organizationId=${ids.orgA}`, { accessToken: key.secret } as Account)).status).toBe(401);
  });

  it('lets go of the subscription once nobody has read it for the replay window', async () => {
    const upstreams = () => platform.gateway.engine.upstreamCount();
    // the streams of the tests before have let go of theirs
    await until('earlier streams letting go', async () => upstreams() === 0, 8_000);
    const stream = await open(`/events/stream?eventId=${ids.eventB}`, people.ownerB);
    expect(upstreams()).toBe(1); // open once the stream started: events from then on are not missed
    await stream.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(upstreams()).toBe(1); // kept for a reader that comes back within the window
    await until('the upstream subscription closing', async () => upstreams() === 0, 6_000);
  });
});
