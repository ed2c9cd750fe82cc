import { randomBytes } from 'node:crypto';
import { startGateway, type RunningGateway } from '@eventgraph/gateway';
import { RedisRateLimiter } from '@eventgraph/gateway/src/rate-limit';
import { createLogger } from '@eventgraph/runtime';
import Redis from 'ioredis';
import { composePlatform } from '../src/compose';
import { createDemoWorld } from './support/demo-data';
import { as, signUp } from './support/accounts';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

/**
 * Two gateway replicas in front of the same subgraphs, sharing the bus and a
 * Redis rate-limit store, as in a deployment with several gateways.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test:replicas:${randomBytes(4).toString('hex')}:`;
let platform: TestPlatform;
let second: RunningGateway;
const tiny = {
  anonymous: { capacity: 10, refillPerSecond: 0.01 },
  user: { capacity: 5, refillPerSecond: 0.01 },
  apiKey: { capacity: 100, refillPerSecond: 10 },
  device: undefined,
  service: undefined,
};

beforeAll(async () => {
  platform = await startTestPlatform({
    callerPolicies: tiny,
    rateLimiter: () => new RedisRateLimiter({ url: REDIS_URL, prefix }),
  });
  const composition = composePlatform();
  if (!composition.ok) throw new Error(composition.errors.join('\n'));
  second = await startGateway({
    supergraphSdl: composition.supergraphSdl,
    port: 0,
    subgraphUrls: Object.fromEntries(Object.entries(platform.subgraphs).map(([name, s]) => [name, s.url])),
    principalSecret: platform.settings.EVENTGRAPH_PRINCIPAL_SECRET,
    jwtSecret: platform.settings.EVENTGRAPH_JWT_SECRET,
    devToken: platform.devToken,
    bus: platform.bus,
    rateLimiter: new RedisRateLimiter({ url: REDIS_URL, prefix }),
    callerPolicies: tiny,
    logger: createLogger('gateway-2', 'silent'),
  });
});
afterAll(async () => {
  await second?.stop();
  await platform?.stop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const post = (url: string, token?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: '{"query":"{ __typename }"}',
  });

it('share one rate limit per caller through Redis', async () => {
  const caller = await signUp(platform, 'replica-user');
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push((await post(i % 2 ? second.url : platform.gateway.url, caller.accessToken)).status);
  // five admitted in total across both replicas, then refused by either
  expect(statuses.filter((s) => s === 200)).toHaveLength(5);
  expect(statuses.slice(5)).toEqual([429, 429, 429]);
});

it('stop a revoked API key at every gateway at once', async () => {
  const world = await createDemoWorld(platform);
  const admin = await signUp(platform, 'replica-admin');
  await platform.data(`mutation($o: ID!, $u: ID!) { addMember(organizationId: $o, userId: $u, role: ADMIN) { id } }`, {
    o: world.org.id,
    u: admin.id,
  });
  const app = await as(platform, admin)(
    `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Site", whiteLabel: { brandName: "Site" }) { id } }`,
    { o: world.org.id },
  );
  const key = await as(platform, admin)(
    `mutation($a: ID!) { createApiKey(partnerAppId: $a, name: "k", scopes: ["events:read"]) { apiKey { id } secret } }`,
    {
      a: (app.body.data as any).createPartnerApp.id,
    },
  );
  const { apiKey, secret } = (key.body.data as any).createApiKey;
  // both gateways have the key cached
  expect((await post(platform.gateway.url, secret)).status).toBe(200);
  expect((await post(second.url, secret)).status).toBe(200);
  await as(platform, admin)(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: apiKey.id });
  expect((await post(second.url, secret)).status).toBe(401);
  expect((await post(platform.gateway.url, secret)).status).toBe(401);
});
