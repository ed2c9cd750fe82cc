import { createECDH, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import webpush from 'web-push';
import { as, signUp, type Account } from './support/accounts';
import { createOrganisationWithEvent } from './support/demo-data';
import { startTestPlatform, type TestPlatform } from './support/test-platform';
// http_ece (the encryption web-push uses) has no types: decrypt(body, { version, privateKey, authSecret })
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ece = require('http_ece') as { decrypt(body: Buffer, params: Record<string, unknown>): Buffer };

/**
 * Web Push with VAPID, received by a local push service: the browser's keys are made here, so the test decrypts
 * what arrives (RFC 8291) and checks the VAPID signature's key (RFC 8292). A push service that answers 410 loses
 * the subscription; one that fails is retried and holds up no other browser. PGlite and PostgreSQL + NATS.
 */
interface Push {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
const pushes: Push[] = [];
/** answers by path: 410 gone, or 500 this many more times */
const failures = new Map<string, number>();
const service = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = req.url ?? '/';
    if (path.startsWith('/gone')) return void res.writeHead(410).end();
    const left = failures.get(path) ?? 0;
    if (left > 0) {
      failures.set(path, left - 1);
      return void res.writeHead(500).end();
    }
    pushes.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(201).end();
  });
});
const vapid = webpush.generateVAPIDKeys();
const PUSH_ENV = [
  'NOTIFICATION_VAPID_PUBLIC_KEY',
  'NOTIFICATION_VAPID_PRIVATE_KEY',
  'NOTIFICATION_VAPID_SUBJECT',
  'NOTIFICATION_DELIVERY_POLL_MS',
  'NOTIFICATION_DELIVERY_BACKOFF_MS',
];

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createOrganisationWithEvent>>;
let origin: string;
const tag = Math.random().toString(36).slice(2, 8);
let counter = 0;
type Body = { data?: any; errors?: { extensions?: Record<string, unknown> }[] };
const call = (who: Account, query: string, variables?: Record<string, unknown>) =>
  as(platform, who)(query, variables).then((r) => r.body as Body);
const must = async (who: Account, query: string, variables?: Record<string, unknown>) => {
  const body = await call(who, query, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};
const REGISTER = `mutation($endpoint: String!, $keys: PushKeysInput!) { registerPushSubscription(endpoint: $endpoint, keys: $keys) { id endpoint } }`;

/** A browser: its own P-256 key pair and auth secret, as PushManager.subscribe makes them. */
function browser(path: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    path,
    endpoint: `${origin}${path}`,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    decrypt: (body: Buffer) =>
      JSON.parse(
        ece.decrypt(body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth.toString('base64url') }).toString('utf8'),
      ),
  };
}

async function publish(title: string) {
  const { createEvent } = await platform.data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
    input: {
      venueId: world.venue.id,
      slug: `p-${tag}-${counter++}`,
      title,
      startsAt: '2027-06-05T19:30:00Z',
      endsAt: '2027-06-05T22:00:00Z',
    },
  });
  await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: createEvent.id });
  return createEvent.id as string;
}

async function pushesTo(path: string, count = 1, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = pushes.filter((p) => p.path === path);
    if (got.length >= count) return got;
    if (Date.now() > deadline) throw new Error(`${got.length} of ${count} pushes to ${path} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    NOTIFICATION_VAPID_PUBLIC_KEY: vapid.publicKey,
    NOTIFICATION_VAPID_PRIVATE_KEY: vapid.privateKey,
    NOTIFICATION_VAPID_SUBJECT: 'mailto:push-test@example.com',
    NOTIFICATION_DELIVERY_POLL_MS: '200',
    NOTIFICATION_DELIVERY_BACKOFF_MS: '300',
  });
  platform = await startTestPlatform();
  world = await createOrganisationWithEvent(platform, tag);
});
afterAll(async () => {
  await platform?.stop();
  for (const name of PUSH_ENV) delete process.env[name];
  await new Promise<void>((resolve) => service.close(() => resolve()));
});

describe('web push', () => {
  it('refuses a subscription with bad keys or endpoint', async () => {
    const who = await signUp(platform, 'push-bad');
    const good = browser('/bad');
    const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code;
    expect(codeOf(await call(who, REGISTER, { endpoint: good.endpoint, keys: { ...good.keys, p256dh: 'short' } }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await call(who, REGISTER, { endpoint: good.endpoint, keys: { ...good.keys, auth: 'AAAA' } }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await call(who, REGISTER, { endpoint: 'ftp://push.example.com/x', keys: good.keys }))).toBe('BAD_USER_INPUT');
    expect((await must(who, `{ myPushSubscriptions { id } }`)).myPushSubscriptions).toEqual([]);
  });

  it('pushes an encrypted, VAPID-signed notification that the browser decrypts', async () => {
    const paul = await signUp(platform, 'push-paul');
    const laptop = browser(`/laptop-${tag}`);
    await must(paul, REGISTER, { endpoint: laptop.endpoint, keys: laptop.keys });
    await must(
      paul,
      `mutation($input: NotificationPreferencesInput!) { setNotificationPreferences(input: $input) { channels } }`,
      {
        input: { keywords: [`push${tag}`], channels: ['IN_APP', 'PUSH'] },
      },
    );
    const eventId = await publish(`Push${tag} concert`);
    const [push] = await pushesTo(laptop.path);
    expect(push!.headers['content-encoding']).toBe('aes128gcm');
    const authorization = String(push!.headers.authorization);
    expect(authorization).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=/);
    expect(authorization.endsWith(`k=${vapid.publicKey}`)).toBe(true);
    const claims = JSON.parse(Buffer.from(authorization.split('t=')[1]!.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ aud: origin, sub: 'mailto:push-test@example.com' });
    const message = laptop.decrypt(push!.body);
    expect(message.title).toBe(`Push${tag} concert`);
    expect(message.events).toEqual([
      expect.objectContaining({ id: eventId, reasons: [{ kind: 'KEYWORD', detail: `push${tag}` }] }),
    ]);
  });

  it('drops a subscription the push service says is gone, retries a failing one, and holds up no other', async () => {
    const rita = await signUp(platform, 'push-rita');
    const [gone, flaky, phone] = [browser(`/gone-${tag}`), browser(`/flaky-${tag}`), browser(`/phone-${tag}`)];
    failures.set(flaky.path, 2);
    for (const b of [gone, flaky, phone]) await must(rita, REGISTER, { endpoint: b.endpoint, keys: b.keys });
    await must(
      rita,
      `mutation($input: NotificationPreferencesInput!) { setNotificationPreferences(input: $input) { channels } }`,
      {
        input: { keywords: [`retry${tag}`], channels: ['PUSH'] },
      },
    );
    await publish(`Retry${tag} gala`);
    const [onPhone] = await pushesTo(phone.path);
    expect(pushes.some((p) => p.path === flaky.path)).toBe(false);
    const [onFlaky] = await pushesTo(flaky.path, 1, 20_000);
    expect(flaky.decrypt(onFlaky!.body).title).toBe(`Retry${tag} gala`);
    expect(phone.decrypt(onPhone!.body).title).toBe(`Retry${tag} gala`);
    const left = (await must(rita, `{ myPushSubscriptions { endpoint } }`)).myPushSubscriptions.map((s: any) => s.endpoint);
    expect(left.sort()).toEqual([flaky.endpoint, phone.endpoint].sort());
  });
});
