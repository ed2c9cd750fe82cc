import { request as httpRequest } from 'node:http';
import { signPrincipal, type Principal } from '@eventgraph/runtime';
import { createDemoWorld } from './support/demo-data';
import { startTestPlatform, subscribe, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
const secret = () => process.env.EVENTGRAPH_PRINCIPAL_SECRET ?? 'eventgraph-development-secret';
const service: Principal = { kind: 'service', id: 'test', memberships: [], scopes: ['*'] };

beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createDemoWorld(platform);
});
afterAll(() => platform?.stop());

async function postToSubgraph(url: string, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{"query":"{ __typename }"}',
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] },
  };
}

describe('the principal forwarded by the gateway', () => {
  it('is required by every subgraph: unsigned, tampered and expired principals are refused', async () => {
    const { url } = platform.subgraphs.events!;
    const unsigned = await postToSubgraph(url, {});
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');

    const token = signPrincipal(service, secret());
    const [body, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...service, id: 'someone-else', exp: 9_999_999_999 })).toString('base64url');
    expect((await postToSubgraph(url, { 'x-eventgraph-principal': `${forged}.${sig}` })).status).toBe(401);
    expect((await postToSubgraph(url, { 'x-eventgraph-principal': `${body}.${sig}x` })).status).toBe(401);
    const expired = signPrincipal(service, secret(), 60, Date.now() - 3600_000);
    expect((await postToSubgraph(url, { 'x-eventgraph-principal': expired })).status).toBe(401);
    const wrongKey = signPrincipal(service, 'another-secret-of-enough-length');
    expect((await postToSubgraph(url, { 'x-eventgraph-principal': wrongKey })).status).toBe(401);

    const signed = await postToSubgraph(url, { 'x-eventgraph-principal': token });
    expect(signed).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('leaves health and readiness open', async () => {
    for (const s of Object.values(platform.subgraphs)) {
      const base = s.url.replace(/\/graphql$/, '');
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect((await fetch(`${base}/ready`)).status).toBe(200);
    }
    expect((await fetch(platform.gateway.url.replace(/\/graphql$/, '/health'))).status).toBe(200);
  });
});

describe('graceful shutdown', () => {
  it('finishes a request that is in flight when the subgraph is told to stop', async () => {
    const { url } = platform.subgraphs.ingest!;
    let stopping: Promise<() => Promise<void>> | undefined;
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-eventgraph-principal': signPrincipal(service, secret()) },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      // half of the body now, the rest once shutdown has begun
      req.write('{"query":"{ sources { edges { node { name } } } }",');
      setTimeout(async () => {
        stopping = platform.takeDown('ingest');
        await new Promise((r) => setTimeout(r, 50));
        req.end('"variables":{}}');
      }, 50);
    });
    const { status, body } = await response;
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({
      data: { sources: { edges: [{ node: expect.objectContaining({ name: 'City listings' }) }] } },
    });
    const bringBack = await stopping!;
    await bringBack();
  });
});

describe('a subgraph that goes down', () => {
  it('costs only the fields it owns, and the gateway recovers when it returns, without a restart', async () => {
    const bringBack = await platform.takeDown('users');
    const { body } = await platform.request(
      `query($id: ID!) { event(id: $id) { title organization { name } } events { edges { node { title } } } }`,
      { id: world.event.id },
    );
    expect(body.data).toEqual({
      event: { title: 'Summer Sound', organization: null },
      events: { edges: expect.arrayContaining([{ node: { title: 'Summer Sound' } }]) },
    });
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['event', 'organization'],
        extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'users' }),
      }),
    ]);
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);

    const rootField = await platform.request(`query($id: ID!) { organization(id: $id) { name } }`, { id: world.org.id });
    expect(rootField.body.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');

    await bringBack();
    const { createUser } = await platform.data(
      `mutation { createUser(input: { email: "back@example.com", displayName: "Back Again" }) { displayName } }`,
    );
    expect(createUser).toEqual({ displayName: 'Back Again' });
  });

  it('completes the subscriptions it owned with an error instead of leaving them hanging', async () => {
    const stream = subscribe(platform.wsClient(), `subscription($id: ID!) { checkInRecorded(seriesId: $id) { allowed } }`, {
      id: world.series.id,
    });
    const deadline = Date.now() + 5000;
    while (platform.gateway.engine.upstreamCount() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const bringBack = await platform.takeDown('access');
    const last = await stream.next(1, 5000);
    expect(last.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
    const waitEnd = Date.now() + 5000;
    while (!stream.completed && !stream.error && Date.now() < waitEnd) await new Promise((r) => setTimeout(r, 20));
    expect(stream.completed).toBe(true);
    await bringBack();
  });
});
