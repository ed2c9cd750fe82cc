import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebhookReceiver, type WebhookEvent } from '../../examples/webhook-receiver';
import { verifySignature } from '@eventgraph/subgraph-users/src/domain/webhooks';
import { addMember, as, createOrganization, signUp } from './support/accounts';
import { createDemoWorld } from './support/demo-data';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

/*
 * Webhooks end to end: mutations through the gateway, the users subgraph's
 * fan-out and worker, real HTTP receivers (examples/webhook-receiver.ts) on
 * 127.0.0.1. Timings are shrunk through the worker's settings: backoff 200 ms
 * doubling without jitter (so "increasing delays" is observable), 4 attempts
 * per delivery, endpoints disabled after 6 failures in a row.
 */
const WEBHOOK_ENV = {
  WEBHOOK_BACKOFF_BASE_MS: '200',
  WEBHOOK_BACKOFF_CAP_MS: '2000',
  WEBHOOK_BACKOFF_JITTER: 'none',
  WEBHOOK_MAX_ATTEMPTS: '4',
  WEBHOOK_DISABLE_AFTER_FAILURES: '6',
  WEBHOOK_POLL_INTERVAL_MS: '50',
  WEBHOOK_TIMEOUT_MS: '8000',
};
const savedEnv = { ...process.env };

let platform: TestPlatform;
let dataDir: string | undefined;
const receivers: Receiver[] = [];

beforeAll(async () => {
  Object.assign(process.env, WEBHOOK_ENV);
  // on PGlite, a data directory rather than memory, so restarting the users subgraph keeps its rows (as a server does)
  if (!process.env.DATABASE_URL) dataDir = mkdtempSync(join(tmpdir(), 'eventgraph-webhooks-'));
  platform = await startTestPlatform({ embeddedDataDir: dataDir });
});

afterAll(async () => {
  await platform?.stop();
  await Promise.all(
    receivers.map((r) => {
      const closed = new Promise((resolve) => r.server.close(resolve));
      r.server.closeAllConnections();
      return closed;
    }),
  );
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  process.env = savedEnv;
});

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code ?? 'OK';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

interface Request {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  status?: number;
}

/** A real receiver on an ephemeral port: the example's verification, then `behaviour` decides (throw = 500). */
interface Receiver {
  server: Server;
  url: string;
  secret: string;
  /** verified, first-seen events handed to onEvent (whatever behaviour then did) */
  events: WebhookEvent[];
  /** every request, verified or not, with the answer */
  requests: Request[];
  behaviour: (event: WebhookEvent) => void | Promise<void>;
}

async function startReceiver(behaviour: Receiver['behaviour'] = () => undefined): Promise<Receiver> {
  const receiver = { secret: 'unset', events: [], requests: [], behaviour } as unknown as Receiver;
  receiver.server = createWebhookReceiver({
    secret: () => receiver.secret,
    onEvent: async (event) => {
      receiver.events.push(event);
      await receiver.behaviour(event);
    },
  });
  receiver.server.on('request', (req, res) => {
    const request: Request = { headers: req.headers, body: '', at: Date.now() };
    receiver.requests.push(request);
    req.on('data', (chunk: Buffer) => (request.body += chunk.toString('utf8')));
    res.on('finish', () => (request.status = res.statusCode));
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hooks`;
  receivers.push(receiver);
  return receiver;
}

const fail = () => {
  throw new Error('receiver is down');
};

const Q = {
  createEndpoint: `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id url eventTypes enabled } } }`,
  endpoint: `query($org: ID!) { webhookEndpoints(organizationId: $org) { id enabled consecutiveFailures disabledAt } }`,
  deliveries: `query($id: ID!, $status: WebhookDeliveryStatus) { webhookDeliveries(endpointId: $id, status: $status, first: 50) {
    edges { node { id eventId topic status attemptCount nextAttemptAt lastStatusCode deliveredAt body attempts { at statusCode error durationMs } } } } }`,
  update: `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { id enabled consecutiveFailures disabledAt } }`,
  redeliver: `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id status attemptCount } }`,
  rotate: `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret endpoint { id } } }`,
  createVenue: `mutation($org: ID!, $slug: String!) { createVenue(input: { organizationId: $org, name: "Hall", slug: $slug, timeZone: "Europe/Paris" }) { id } }`,
};

let counter = 0;
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${counter++}`;

/** An organisation made by the platform service (no sign-up needed); webhooks are managed with the development credential. */
async function organization(): Promise<string> {
  const tag = unique('o');
  const { createUser } = await platform.data(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
    input: { email: `${tag}@example.com`, displayName: 'Owner' },
  });
  const { createOrganization: org } = await platform.data(
    `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`,
    {
      input: { name: tag, slug: tag, ownerId: createUser.id },
    },
  );
  return org.id;
}

async function createEndpoint(organizationId: string, receiver: Receiver, eventTypes: string[]): Promise<string> {
  const { createWebhookEndpoint } = await platform.data(Q.createEndpoint, {
    input: { organizationId, url: receiver.url, eventTypes },
  });
  receiver.secret = createWebhookEndpoint.secret;
  return createWebhookEndpoint.endpoint.id;
}

const createVenue = (organizationId: string) => platform.data(Q.createVenue, { org: organizationId, slug: unique('v') });
const deliveries = async (endpointId: string, status?: string): Promise<any[]> =>
  (await platform.data(Q.deliveries, { id: endpointId, status })).webhookDeliveries.edges.map((e: { node: unknown }) => e.node);
const endpointState = async (organizationId: string, endpointId: string) =>
  (await platform.data(Q.endpoint, { org: organizationId })).webhookEndpoints.find((e: { id: string }) => e.id === endpointId);

describe('a change reaches a receiver as a signed delivery', () => {
  let world: Awaited<ReturnType<typeof createDemoWorld>>;
  let receiver: Receiver;
  let endpointId: string;

  beforeAll(async () => {
    world = await createDemoWorld(platform);
    receiver = await startReceiver();
    endpointId = await createEndpoint(world.org.id, receiver, ['checkin.recorded', 'event.*']);
  });

  it('a check-in through the gateway is delivered, signed, and the example receiver verifies it', async () => {
    const { checkIn } = await platform.data(`mutation($input: CheckInInput!) { checkIn(input: $input) { id allowed } }`, {
      input: { seriesId: world.series.id, gateId: world.gate.id, nfcId: world.wristband.nfcId },
    });
    const event = await waitFor('the check-in delivery', () => receiver.events.find((e) => e.type === 'checkin.recorded'));
    expect(event).toMatchObject({
      type: 'checkin.recorded',
      data: { checkInId: checkIn.id, organizationId: world.org.id, seriesId: world.series.id, allowed: true },
    });
    expect(new Date(event.occurredAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const request = receiver.requests.find((r) => r.headers['eventgraph-webhook-id'] === event.id)!;
    expect(request.status).toBe(200);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['eventgraph-timestamp']).toMatch(/^\d{10}$/);
    expect(request.headers['eventgraph-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    // the same check with the platform's own verification function
    expect(
      verifySignature({
        secret: receiver.secret,
        rawBody: request.body,
        timestamp: request.headers['eventgraph-timestamp'] as string,
        signature: request.headers['eventgraph-signature'] as string,
      }),
    ).toEqual({ ok: true });

    const [delivery] = await waitFor('SUCCEEDED', async () => {
      const list = (await deliveries(endpointId)).filter((d) => d.eventId === event.id);
      return list[0]?.status === 'SUCCEEDED' && list;
    });
    expect(delivery).toMatchObject({
      topic: 'checkin.recorded',
      attemptCount: 1,
      lastStatusCode: 200,
      nextAttemptAt: null,
      body: request.body,
    });
    expect(delivery.attempts).toEqual([expect.objectContaining({ statusCode: 200, error: null })]);
  });

  it('the receiver refuses replays: the same id is not processed twice, an old timestamp or a forged body is rejected', async () => {
    const event = receiver.events.find((e) => e.type === 'checkin.recorded')!;
    const original = receiver.requests.find((r) => r.headers['eventgraph-webhook-id'] === event.id)!;
    const post = (headers: Record<string, string>, body: string) =>
      fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(
        async (r) => ({ status: r.status, body: await r.json() }),
      );
    const headersOf = (r: Request) => ({
      'eventgraph-webhook-id': r.headers['eventgraph-webhook-id'] as string,
      'eventgraph-timestamp': r.headers['eventgraph-timestamp'] as string,
      'eventgraph-signature': r.headers['eventgraph-signature'] as string,
    });
    const processed = receiver.events.length;

    // the captured request, byte for byte: acknowledged as a duplicate, not processed again
    expect(await post(headersOf(original), original.body)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    // validly signed, but 10 minutes old: outside the 5-minute tolerance
    const old = String(Math.floor(Date.now() / 1000) - 600);
    const oldSignature = `v1=${createHmac('sha256', receiver.secret).update(`${old}.${original.body}`).digest('hex')}`;
    const replayedOld = await post(
      {
        ...headersOf(original),
        'eventgraph-webhook-id': 'replayed-id',
        'eventgraph-timestamp': old,
        'eventgraph-signature': oldSignature,
      },
      original.body,
    );
    expect(replayedOld).toEqual({ status: 400, body: { error: 'timestamp outside tolerance' } });
    // a changed body under the captured signature
    const forged = original.body.replace('"allowed":true', '"allowed":false');
    expect((await post(headersOf(original), forged)).status).toBe(401);
    // no signature at all
    expect((await post({ 'eventgraph-webhook-id': event.id }, original.body)).status).toBe(400);
    expect(receiver.events.length).toBe(processed);
  });

  it('a bus event delivered twice makes one delivery (unique endpoint + event)', async () => {
    const [delivery] = (await deliveries(endpointId)).filter((d) => d.topic === 'checkin.recorded');
    const body = JSON.parse(delivery.body);
    // the bus hands the same event out again (at-least-once); JetStream may drop it as a duplicate, memory passes it on
    await platform.bus.publish([
      { id: body.id, topic: body.type, source: 'access', occurredAt: body.occurredAt, payload: body.data },
    ]);
    await sleep(300);
    expect((await deliveries(endpointId)).filter((d) => d.eventId === body.id)).toHaveLength(1);
    expect(receiver.events.filter((e) => e.id === body.id)).toHaveLength(1);
  });

  it('event.* covers event lifecycle changes; topics the endpoint did not ask for are not sent', async () => {
    await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: world.event.id });
    const event = await waitFor('event.status_changed', () => receiver.events.find((e) => e.type === 'event.status_changed'));
    expect(event.data).toMatchObject({ eventId: world.event.id, status: 'PUBLISHED', from: 'DRAFT' });
    await createVenue(world.org.id);
    await sleep(300);
    expect(receiver.events.map((e) => e.type)).not.toContain('venue.created');
  });

  it('after a secret rotation deliveries carry both signatures, and either secret verifies', async () => {
    const oldSecret = receiver.secret;
    const { rotateWebhookSecret } = await platform.data(Q.rotate, { id: endpointId });
    expect(rotateWebhookSecret.secret).toMatch(/^whsec_/);
    expect(rotateWebhookSecret.secret).not.toBe(oldSecret);
    receiver.secret = rotateWebhookSecret.secret;
    await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: ON_SALE) { status } }`, { id: world.event.id });
    const event = await waitFor('the event after rotation', () =>
      receiver.events.find((e) => e.type === 'event.status_changed' && e.data.status === 'ON_SALE'),
    );
    const request = receiver.requests.find((r) => r.headers['eventgraph-webhook-id'] === event.id)!;
    const signature = request.headers['eventgraph-signature'] as string;
    expect(signature.split(',')).toHaveLength(2);
    for (const secret of [rotateWebhookSecret.secret, oldSecret]) {
      expect(
        verifySignature({
          secret,
          rawBody: request.body,
          timestamp: request.headers['eventgraph-timestamp'] as string,
          signature,
        }),
      ).toEqual({ ok: true });
    }
  });
});

describe('failures, retries and giving up', () => {
  it('a failing receiver gets retries with increasing delays, then the delivery succeeds when it recovers', async () => {
    const org = await organization();
    let calls = 0;
    const receiver = await startReceiver(() => {
      if (++calls <= 2) fail();
    });
    const endpointId = await createEndpoint(org, receiver, ['venue.created']);
    const { createVenue: venue } = await createVenue(org);

    const [delivery] = await waitFor('the third attempt to succeed', async () => {
      const list = await deliveries(endpointId, 'SUCCEEDED');
      return list.length === 1 && list;
    });
    expect(JSON.parse(delivery.body).data).toMatchObject({ venueId: venue.id });
    expect(delivery.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 200]);
    expect(delivery.attemptCount).toBe(3);
    expect(delivery.attempts[0].error).toMatch(/HTTP 500/);
    const at: number[] = delivery.attempts.map((a: { at: string }) => new Date(a.at).getTime());
    const gaps = [at[1]! - at[0]!, at[2]! - at[1]!] as const;
    // backoff 200 ms, then 400 ms (no jitter in this test), each after the attempt itself; the worker's own
    // latency comes on top of each, so only the lower bounds are exact on a busy machine
    expect(gaps[0]).toBeGreaterThanOrEqual(200);
    expect(gaps[1]).toBeGreaterThanOrEqual(400);
    // the success reset the endpoint's failure streak
    expect(await endpointState(org, endpointId)).toMatchObject({ enabled: true, consecutiveFailures: 0 });
  });

  it('a receiver that always fails gets its endpoint disabled after the streak; nothing more is sent until it is re-enabled', async () => {
    const org = await organization();
    const broken = await startReceiver(fail);
    const watcher = await startReceiver();
    const brokenId = await createEndpoint(org, broken, ['venue.created']);
    await createEndpoint(org, watcher, ['webhook.endpoint_disabled']);
    await Promise.all([createVenue(org), createVenue(org)]);

    const disabled = await waitFor('the endpoint to be disabled', async () => {
      const state = await endpointState(org, brokenId);
      return !state.enabled && state;
    });
    expect(disabled).toMatchObject({ enabled: false, disabledAt: expect.any(String) });
    expect(disabled.consecutiveFailures).toBeGreaterThanOrEqual(6);
    const announced = await waitFor('webhook.endpoint_disabled', () =>
      watcher.events.find((e) => e.type === 'webhook.endpoint_disabled'),
    );
    expect(announced.data).toMatchObject({ organizationId: org, endpointId: brokenId, consecutiveFailures: 6 });

    // nothing more goes out: neither the open deliveries nor new events
    const sent = broken.requests.length;
    expect(sent).toBeGreaterThanOrEqual(6);
    await createVenue(org);
    await sleep(800);
    expect(broken.requests.length).toBe(sent);
    const open = await deliveries(brokenId);
    expect(open).toHaveLength(2);
    expect(open.every((d) => d.status === 'FAILED')).toBe(true);
    expect(codeOf(await platform.request(Q.redeliver, { id: open[0].id }).then((r) => r.body))).toBe('ENDPOINT_DISABLED');

    // fixed and re-enabled: the streak starts over and the open deliveries go out
    broken.behaviour = () => undefined;
    const { updateWebhookEndpoint } = await platform.data(Q.update, { input: { id: brokenId, enabled: true } });
    expect(updateWebhookEndpoint).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledAt: null });
    await waitFor('the open deliveries', async () => (await deliveries(brokenId, 'SUCCEEDED')).length === 2);
  });

  it('a slow receiver does not slow mutations down', async () => {
    const org = await organization();
    const receiver = await startReceiver(() => sleep(5000));
    const endpointId = await createEndpoint(org, receiver, ['venue.created']);
    await createVenue(org);
    await waitFor('the receiver to be busy', () => receiver.events.length === 1);

    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await createVenue(org);
      latencies.push(performance.now() - started);
    }
    // each mutation answers while the receiver is still sleeping on the deliveries
    expect(Math.max(...latencies)).toBeLessThan(1000);
    expect(receiver.requests.filter((r) => r.status !== undefined)).toHaveLength(0);
    // and the deliveries complete on their own, concurrently (6 × 5 s would take 30 s one by one)
    await waitFor('all six deliveries', async () => (await deliveries(endpointId, 'SUCCEEDED')).length === 6, 12_000);
  });

  it('a dead delivery can be redelivered by hand; redelivering a handled one is a duplicate to the receiver', async () => {
    const org = await organization();
    const receiver = await startReceiver(fail);
    const endpointId = await createEndpoint(org, receiver, ['venue.created']);
    await createVenue(org);
    const [dead] = await waitFor('DEAD', async () => {
      const list = await deliveries(endpointId, 'DEAD');
      return list.length === 1 && list;
    });
    expect(dead.attempts).toHaveLength(4);
    expect(dead.nextAttemptAt).toBeNull();
    await sleep(500);
    expect(receiver.requests).toHaveLength(4);

    receiver.behaviour = () => undefined;
    const { redeliverWebhook } = await platform.data(Q.redeliver, { id: dead.id });
    expect(redeliverWebhook).toMatchObject({ id: dead.id, status: 'PENDING', attemptCount: 0 });
    const [done] = await waitFor('SUCCEEDED', async () => {
      const list = await deliveries(endpointId, 'SUCCEEDED');
      return list.length === 1 && list;
    });
    expect(done.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 500, 500, 200]);
    expect(done.attemptCount).toBe(1);
    const handled = receiver.events.filter((e) => e.id === dead.eventId).length;

    await platform.data(Q.redeliver, { id: dead.id });
    await waitFor('the second redelivery', async () => (await deliveries(endpointId, 'SUCCEEDED'))[0]?.attempts.length === 6);
    const last = receiver.requests.at(-1)!;
    expect(last.headers['eventgraph-webhook-id']).toBe(dead.eventId);
    expect(receiver.events.filter((e) => e.id === dead.eventId).length).toBe(handled);
  });
});

describe('durability', () => {
  it('pending deliveries survive a restart of the users subgraph, and events published while it was down are delivered after', async () => {
    const org = await organization();
    const receiver = await startReceiver(fail);
    const endpointId = await createEndpoint(org, receiver, ['venue.created']);
    await createVenue(org);
    const [pending] = await waitFor('a failed first attempt', async () => {
      const list = await deliveries(endpointId);
      return list[0]?.attemptCount >= 1 && list;
    });
    expect(pending.status).toBe('FAILED');

    const restart = await platform.takeDown('users');
    const seenWhileDown = receiver.requests.length;
    // the receiver recovers and another event happens while users is down; nothing is sent meanwhile
    receiver.behaviour = () => undefined;
    const { createVenue: later } = await createVenue(org);
    await sleep(700);
    expect(receiver.requests.length).toBe(seenWhileDown);

    await restart();
    // the row written before the restart, sent by the new worker; the bus event kept for the fan-out's durable group
    await waitFor('both deliveries after the restart', async () => (await deliveries(endpointId, 'SUCCEEDED')).length === 2);
    const after = await deliveries(endpointId);
    const first = after.find((d) => d.id === pending.id);
    expect(first.attempts[0].statusCode).toBe(500);
    expect(first.attempts.at(-1).statusCode).toBe(200);
    expect(after.map((d) => JSON.parse(d.body).data.venueId)).toContain(later.id);
    expect(receiver.events.filter((e) => e.type === 'venue.created').length).toBeGreaterThanOrEqual(2);
  });
});

describe('organisation boundaries', () => {
  it('endpoints and deliveries of one organisation are invisible to another, and need integrations.manage', async () => {
    const [ownerA, ownerB, memberA] = [
      await signUp(platform, 'hookA'),
      await signUp(platform, 'hookB'),
      await signUp(platform, 'hookM'),
    ];
    const orgA = await createOrganization(platform, ownerA, 'hooks-a');
    const orgB = await createOrganization(platform, ownerB, 'hooks-b');
    await addMember(platform, ownerA, orgA, memberA, 'MANAGER');
    const [a, b, m] = [as(platform, ownerA), as(platform, ownerB), as(platform, memberA)];
    const receiver = await startReceiver();

    const created = await a(Q.createEndpoint, { input: { organizationId: orgA, url: receiver.url, eventTypes: ['*'] } });
    expect(codeOf(created.body as Body)).toBe('OK');
    receiver.secret = (created.body.data as any).createWebhookEndpoint.secret;
    const endpointId = (created.body.data as any).createWebhookEndpoint.endpoint.id;
    await a(Q.createVenue, { org: orgA, slug: unique('v') });
    await b(Q.createVenue, { org: orgB, slug: unique('v') });
    const list = await waitFor('A’s venue delivery', async () => {
      const { body } = await a(Q.deliveries, { id: endpointId });
      const found = (body.data as any)?.webhookDeliveries?.edges.map((e: { node: unknown }) => e.node) as any[];
      return found?.some((d) => d.topic === 'venue.created') && found;
    });
    await sleep(300);
    // B's events never reach A's endpoint
    const venueDeliveries = list.filter((d) => d.topic === 'venue.created');
    expect(venueDeliveries).toHaveLength(1);
    expect(receiver.events.every((e) => e.data.organizationId === orgA)).toBe(true);
    const deliveryId = venueDeliveries[0].id;

    // another organisation's owner: nothing exists
    expect(codeOf((await b(Q.endpoint, { org: orgA })).body as Body)).toBe('FORBIDDEN');
    for (const [query, variables] of [
      [Q.deliveries, { id: endpointId }],
      [Q.update, { input: { id: endpointId, enabled: false } }],
      [Q.rotate, { id: endpointId }],
      [`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpointId }],
      [Q.redeliver, { id: deliveryId }],
    ] as const) {
      expect(codeOf((await b(query, variables)).body as Body)).toBe('NOT_FOUND');
    }
    const viaOrg = `query($id: ID!) { organization(id: $id) { webhookEndpoints { id } } }`;
    expect((await b(viaOrg, { id: orgA })).body.data).toEqual({ organization: { webhookEndpoints: [] } });
    expect((await a(viaOrg, { id: orgA })).body.data).toEqual({ organization: { webhookEndpoints: [{ id: endpointId }] } });

    // a manager of the same organisation: FORBIDDEN (integrations need an admin)
    expect(codeOf((await m(Q.endpoint, { org: orgA })).body as Body)).toBe('FORBIDDEN');
    expect(
      codeOf((await m(Q.createEndpoint, { input: { organizationId: orgA, url: receiver.url, eventTypes: ['*'] } })).body as Body),
    ).toBe('FORBIDDEN');
    expect(codeOf((await m(Q.deliveries, { id: endpointId })).body as Body)).toBe('FORBIDDEN');
    // anonymous
    expect(codeOf((await platform.request(Q.endpoint, { org: orgA }, { token: null })).body as Body)).toBe('UNAUTHENTICATED');
    // the secret is shown once: endpoints have no secret field
    expect(
      codeOf((await a(`query($org: ID!) { webhookEndpoints(organizationId: $org) { secret } }`, { org: orgA })).body as Body),
    ).toBe('GRAPHQL_VALIDATION_FAILED');
    // and the owner still sees everything
    expect(((await a(Q.endpoint, { org: orgA })).body.data as any).webhookEndpoints).toHaveLength(1);
  });
});

describe('bad input', () => {
  let org: string;
  let endpointId: string;
  beforeAll(async () => {
    org = await organization();
    endpointId = await createEndpoint(org, await startReceiver(), ['venue.created']);
  });

  it.each([
    ['an ftp URL', { url: 'ftp://example.com/hook' }, 'BAD_USER_INPUT', /^url: must be an http/],
    ['a javascript URL', { url: 'javascript:alert(1)' }, 'BAD_USER_INPUT', /^url: must be an http/],
    ['not a URL', { url: 'hooks here' }, 'BAD_USER_INPUT', /^url: is not a valid URL/],
    [
      'an unknown event type',
      { eventTypes: ['checkin.recorded', 'user.created'] },
      'BAD_USER_INPUT',
      /^eventTypes\[1\]: "user.created" is not a webhook event type/,
    ],
    ['a pattern covering nothing', { eventTypes: ['nothing.*'] }, 'BAD_USER_INPUT', /^eventTypes\[0\]/],
    ['no event types', { eventTypes: [] }, 'BAD_USER_INPUT', /^eventTypes: name at least one/],
    ['a malformed organisation id', { organizationId: 'org-1' }, 'BAD_USER_INPUT', /^organizationId/],
    ['an unknown organisation', { organizationId: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND', /Organization/],
    ['a partner app that does not exist', { partnerAppId: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND', /PartnerApp/],
  ])('createWebhookEndpoint refuses %s', async (_what, override, code, message) => {
    const { body } = await platform.request(Q.createEndpoint, {
      input: { organizationId: org, url: 'https://hooks.example.com/x', eventTypes: ['venue.created'], ...override },
    });
    expect(codeOf(body as Body)).toBe(code);
    expect(body.errors![0]!.message).toMatch(message);
  });

  it('updates and redeliveries are checked too', async () => {
    const update = async (input: Record<string, unknown>) =>
      (await platform.request(Q.update, { input: { id: endpointId, ...input } })).body as Body;
    expect(codeOf(await update({ url: 'mailto:ops@example.com' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await update({ eventTypes: ['session.reuse_detected'] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await update({ eventTypes: ['ingest.*', '  venue.created '] }))).toBe('OK');
    expect(codeOf((await platform.request(Q.redeliver, { id: '00000000-0000-4000-8000-000000000000' })).body as Body)).toBe(
      'NOT_FOUND',
    );
    expect(codeOf((await platform.request(Q.deliveries, { id: 'nope' })).body as Body)).toBe('BAD_USER_INPUT');
    const { webhookEventTypes } = await platform.data(`{ webhookEventTypes }`);
    expect(webhookEventTypes).toEqual(
      expect.arrayContaining([
        'checkin.recorded',
        'event.status_changed',
        'series.transitioned',
        'ingest.run.finished',
        'membership.changed',
      ]),
    );
  });
});
