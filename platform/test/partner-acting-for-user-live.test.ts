import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { openEventStream, type EventStreamClient } from '@eventgraph/gateway/test/sse/event-stream-client';
import { startTestPlatform, subscribe, type TestPlatform } from './support/test-platform';
import { until } from './support/ticket-sales';
import { entryOf, held, join, ok, startSale, ticketType, WAITLIST_Q as Q, type Sale } from './support/waitlist';

/**
 * A partner app acting for a user over graphql-ws (the connection param `actingFor`, the header's counterpart)
 * and over server-sent events (the header): its subscription gets the user's own waitlist places that the app
 * took for them — not the ones the user took themselves — and the user's revoking the grant ends it with its
 * code and refuses a new connection or stream.
 */
const GRANT = `mutation($app: ID!) { grantPartnerApp(partnerAppId: $app, scopes: [TICKETS_BUY]) { scopes } }`;
const REVOKE = `mutation($app: ID!) { revokePartnerGrant(partnerAppId: $app) }`;
const LIVE = `subscription { myWaitlistEntryChanged { id status soldThroughAppId ticketType { id } } }`;

let platform: TestPlatform;
let sale: Sale;
let appId: string;
let key: string;
const sockets: Client[] = [];
const streams: EventStreamClient[] = [];

beforeAll(async () => {
  platform = await startTestPlatform({ callerPolicies: {} as never });
  sale = await startSale(platform, ['dora', 'holder', 'later']);
  const { createPartnerApp } = await ok(
    sale,
    'owner',
    `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Live corner", whiteLabel: { brandName: "Live" }) { id } }`,
    {
      o: sale.org,
    },
  );
  appId = createPartnerApp.id;
  const { createApiKey } = await ok(
    sale,
    'owner',
    `mutation($a: ID!) { createApiKey(partnerAppId: $a, name: "live", scopes: ["events:read"]) { secret } }`,
    { a: appId },
  );
  key = createApiKey.secret;
  await ok(sale, 'dora', GRANT, { app: appId });
}, 240_000);
jest.setTimeout(120_000);
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await Promise.all(streams.map((s) => s.close()));
  await platform?.stop();
});

/** A socket with these connection params, recording its close codes. */
function socket(connectionParams: Record<string, unknown>) {
  const closes: number[] = [];
  const client = createClient({
    url: platform.gateway.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams,
    on: { closed: (event) => void closes.push((event as { code: number }).code) },
  });
  sockets.push(client);
  return { client, closes };
}

const asApp = (query: string, variables: Record<string, unknown>) =>
  platform.request(query, variables, { token: key, headers: { 'x-eventgraph-acting-for': sale.people.dora!.id } });

type Stream = ReturnType<typeof subscribe<{ myWaitlistEntryChanged: Record<string, any> }>>;
const entries = (stream: Stream) => stream.results.flatMap((r) => (r.data ? [r.data.myWaitlistEntryChanged] : []));

describe('a partner acting for a user over graphql-ws', () => {
  it('receives the user’s own waitlist places it took for them, and none the user took directly; revoking ends it', async () => {
    // two sold-out types: the app takes dora's place in one, dora herself in the other
    const viaApp = await ticketType(sale, 1);
    const direct = await ticketType(sale, 1);
    const blocking = await held(sale, 'holder', viaApp, 1);
    const blockingDirect = await held(sale, 'holder', direct, 1);
    const joined = await asApp(Q.join, { t: viaApp, q: 1 });
    expect(joined.body.errors).toBeUndefined();
    const appPlace = (joined.body.data as any).joinWaitlist.id as string;
    const directPlace = (await join(sale, 'dora', direct, 1)).id as string;

    const app = socket({ authorization: `Bearer ${key}`, actingFor: sale.people.dora!.id });
    const appStream: Stream = subscribe(app.client, LIVE);
    const doraStream: Stream = subscribe(socket({ authorization: `Bearer ${sale.people.dora!.accessToken}` }).client, LIVE);
    // the upstreams open asynchronously: someone joins and leaves both lines until each stream has had a change
    for (let round = 0; appStream.results.length === 0 || doraStream.results.length === 0; round++) {
      if (round > 40)
        throw new Error(`no changes reached the streams: ${JSON.stringify([appStream.results, doraStream.results])}`);
      for (const t of [viaApp, direct]) await ok(sale, 'later', round % 2 ? Q.leave : Q.join, { t, q: 1 });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(appStream.error).toBeUndefined();

    // dora's own place is offered returned tickets: her stream says so, the app's does not
    await ok(sale, 'holder', Q.release, { id: blockingDirect });
    await until('the offer on dora’s stream', async () =>
      entries(doraStream).some((e) => e.id === directPlace && e.status === 'OFFERED'),
    );
    // then the app's place: its stream gets it
    await ok(sale, 'holder', Q.release, { id: blocking });
    await until('the offer on the app’s stream', async () =>
      entries(appStream).some((e) => e.id === appPlace && e.status === 'OFFERED'),
    );
    expect(entries(appStream).every((e) => e.id === appPlace && e.soldThroughAppId === appId && e.ticketType.id === viaApp)).toBe(
      true,
    );
    expect(entries(doraStream).map((e) => e.id)).toEqual(expect.arrayContaining([appPlace, directPlace]));

    // dora revokes the grant: the app's subscription ends with NOT_GRANTED and its socket closes; hers runs on
    await ok(sale, 'dora', REVOKE, { app: appId });
    await until(
      'the app’s stream refused',
      async () => appStream.results.some((r) => r.errors?.length) || !!appStream.error,
      5_000,
    );
    const refusal = appStream.results.find((r) => r.errors?.length)?.errors?.[0];
    expect(refusal?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_GRANTED' });
    await until('the app’s socket closed', async () => app.closes.length > 0, 5_000);
    expect(app.closes).toEqual([4401]);
    expect(doraStream.completed || doraStream.error !== undefined).toBe(false);

    // a new socket acting for her is refused at connection_init (graphql-ws: 4403 Forbidden)
    const again = socket({ authorization: `Bearer ${key}`, actingFor: sale.people.dora!.id });
    const refused: Stream = subscribe(again.client, LIVE);
    await until('the new socket refused', async () => again.closes.length > 0, 5_000);
    expect(again.closes).toEqual([4403]);
    expect(entries(refused)).toEqual([]);
  });

  it('over server-sent events gets the same places, and revoking ends the stream with NOT_GRANTED', async () => {
    await ok(sale, 'dora', GRANT, { app: appId }); // granted again after the test above
    const viaApp = await ticketType(sale, 1);
    const blocking = await held(sale, 'holder', viaApp, 1);
    const joined = await asApp(Q.join, { t: viaApp, q: 1 });
    expect(joined.body.errors).toBeUndefined();
    const appPlace = (joined.body.data as any).joinWaitlist.id as string;
    const direct = await ticketType(sale, 1);
    const blockingDirect = await held(sale, 'holder', direct, 1);
    const directPlace = (await join(sale, 'dora', direct, 1)).id as string;

    const open = async () => {
      const stream = await openEventStream(`${platform.gateway.url}/stream?query=${encodeURIComponent(LIVE)}`, {
        authorization: `Bearer ${key}`,
        'x-eventgraph-acting-for': sale.people.dora!.id,
      });
      streams.push(stream);
      return stream;
    };
    const stream = await open();
    expect(stream.status).toBe(200); // open once the owning subgraph accepted the subscription
    const places = () => stream.nexts().map((n) => n.data.myWaitlistEntryChanged as Record<string, any>);

    // dora's own place is offered first, then the app's: only the app's reaches its stream
    await ok(sale, 'holder', Q.release, { id: blockingDirect });
    await until('dora’s own offer', async () => (await entryOf(sale, 'dora', direct))?.status === 'OFFERED');
    await ok(sale, 'holder', Q.release, { id: blocking });
    await stream.until((m) => m.event === 'next' && JSON.parse(m.data!).data.myWaitlistEntryChanged.status === 'OFFERED');
    expect(places().some((p) => p.id === appPlace && p.status === 'OFFERED')).toBe(true);
    expect(places().every((p) => p.id === appPlace && p.soldThroughAppId === appId)).toBe(true);
    expect(places().map((p) => p.id)).not.toContain(directPlace);

    await ok(sale, 'dora', REVOKE, { app: appId });
    const error = await stream.until((m) => m.event === 'error');
    expect(JSON.parse(error.data!).errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_GRANTED' });
    await stream.closed;
    const again = await open();
    expect(again.status).toBe(403);
    expect(again.json.errors[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_GRANTED' });
  });
});
