import { createOrganisationWithEvent } from './support/demo-data';
import { signUp, type Account } from './support/accounts';
import { startTestPlatform, type GraphQLResponse, type TestPlatform } from './support/test-platform';
import { loadGatewaySettings } from '@eventgraph/gateway/src/settings';

/**
 * What the gateway shows of its schema to whom (introspection and "Did you mean" hints, by
 * EVENTGRAPH_INTROSPECTION), and queries and mutations over graphql-ws: allowed, and held to exactly the
 * rules of HTTP (credential, rate limit, trusted documents, operation limits, introspection).
 */

let platform: TestPlatform;
let user: Account;
let partnerKey: string;
let trustedKey: string;
let world: Awaited<ReturnType<typeof createOrganisationWithEvent>>;

type Body = GraphQLResponse<Record<string, any>>;
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code ?? 'OK';
const http = (token: string | null, query: string, variables?: Record<string, unknown>) =>
  platform.request(query, variables, { token });

/** One operation over graphql-ws, as `token`: its single result, or the errors it was refused with. */
function overWs(token: string | null, query: string, variables?: Record<string, unknown>): Promise<Body> {
  const client = platform.wsClient(token ? { authorization: `Bearer ${token}` } : {});
  return new Promise<Body>((resolve) => {
    let result: Body = {};
    client.subscribe(
      { query, variables },
      {
        next: (value) => void (result = value as Body),
        error: (err) =>
          resolve({
            errors: Array.isArray(err)
              ? err
              : [{ message: 'socket closed', extensions: { code: `CLOSED_${(err as { code?: number }).code}` } }],
          }),
        complete: () => resolve(result),
      },
    );
  }).finally(() => void client.dispose());
}

const INTROSPECTION = `{ __schema { queryType { name } } }`;
const TYPO = `{ evnts { id } }`;

beforeAll(async () => {
  // production's default for who explores the schema; anonymous callers get a small bucket, to reach its end
  platform = await startTestPlatform({
    env: { EVENTGRAPH_INTROSPECTION: 'members' },
    callerPolicies: { anonymous: { capacity: 60, refillPerSecond: 0.001 } } as never,
  });
  world = await createOrganisationWithEvent(platform);
  user = await signUp(platform, 'policy-user');
  const { createPartnerApp: app } = await platform.data(
    `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Site", whiteLabel: { brandName: "Site" }) { id } }`,
    { o: world.org.id },
  );
  const key = `mutation($a: ID!) { createApiKey(partnerAppId: $a, name: "k", scopes: ["events:read", "org:write"]) { secret } }`;
  partnerKey = (await platform.data(key, { a: app.id })).createApiKey.secret;
  const { createPartnerApp: strict } = await platform.data(
    `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Strict", whiteLabel: { brandName: "Strict" }) { id } }`,
    { o: world.org.id },
  );
  await platform.data(`mutation($a: ID!, $d: [String!]!) { registerTrustedDocuments(partnerAppId: $a, documents: $d) }`, {
    a: strict.id,
    d: ['{ events(first: 1) { edges { node { id } } } }'],
  });
  await platform.data(`mutation($a: ID!) { updatePartnerApp(id: $a, trustedDocumentsOnly: true) { id } }`, { a: strict.id });
  trustedKey = (await platform.data(key, { a: strict.id })).createApiKey.secret;
});
afterAll(() => platform?.stop());

describe('schema exposure (EVENTGRAPH_INTROSPECTION)', () => {
  it('defaults to members in production and on while developing', () => {
    const secrets = { EVENTGRAPH_PRINCIPAL_SECRET: 'p'.repeat(40), EVENTGRAPH_JWT_SECRET: 'j'.repeat(40) };
    expect(loadGatewaySettings({ NODE_ENV: 'production', ...secrets }).EVENTGRAPH_INTROSPECTION).toBe('members');
    expect(loadGatewaySettings({ NODE_ENV: 'development' }).EVENTGRAPH_INTROSPECTION).toBe('on');
    expect(
      loadGatewaySettings({ NODE_ENV: 'production', ...secrets, EVENTGRAPH_INTROSPECTION: 'on' }).EVENTGRAPH_INTROSPECTION,
    ).toBe('on');
    expect(() => loadGatewaySettings({ EVENTGRAPH_INTROSPECTION: 'maybe' })).toThrow(/EVENTGRAPH_INTROSPECTION/);
  });

  it.each([
    ['anonymous callers', () => null],
    ['API keys', () => partnerKey],
  ])('%s may not introspect and get no field-name hints, over HTTP and graphql-ws', async (_who, token) => {
    const refused = await http(token(), INTROSPECTION);
    expect(refused.status).toBe(403);
    expect(codeOf(refused.body)).toBe('INTROSPECTION_DISABLED');
    expect(codeOf(await overWs(token(), INTROSPECTION))).toBe('INTROSPECTION_DISABLED');
    // a fragment hides nothing
    const viaFragment = `query { ...F } fragment F on Query { __type(name: "Event") { name } }`;
    expect(codeOf((await http(token(), viaFragment)).body)).toBe('INTROSPECTION_DISABLED');
    for (const typo of [(await http(token(), TYPO)).body, await overWs(token(), TYPO)]) {
      expect(codeOf(typo)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(typo.errors![0]!.message).toBe('Cannot query field "evnts" on type "Query".');
    }
    // __typename is data, not the schema
    expect((await http(token(), '{ __typename }')).body.data).toEqual({ __typename: 'Query' });
  });

  it('signed-in users and the platform keep introspection and hints', async () => {
    for (const token of [user.accessToken, platform.devToken]) {
      expect((await http(token, INTROSPECTION)).body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
      expect((await http(token, TYPO)).body.errors![0]!.message).toMatch(/Did you mean "events"/);
      expect((await overWs(token, TYPO)).errors![0]!.message).toMatch(/Did you mean "events"/);
    }
  });
});

describe('queries and mutations over graphql-ws', () => {
  it('run as over HTTP, with the same answers and refusals', async () => {
    const query = `query($id: ID!) { event(id: $id) { id status } }`;
    expect(await overWs(user.accessToken, query, { id: world.event.id })).toEqual({ data: { event: null } });
    expect(await overWs(platform.devToken, query, { id: world.event.id })).toEqual({
      data: { event: { id: world.event.id, status: 'DRAFT' } },
    });
    const mutation = `mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`;
    // another organisation's draft: NOT_FOUND over both transports
    const overHttp = (await http(user.accessToken, mutation, { id: world.event.id })).body;
    const overSocket = await overWs(user.accessToken, mutation, { id: world.event.id });
    expect(codeOf(overSocket)).toBe('NOT_FOUND');
    expect(overSocket.errors![0]!.message).toBe(overHttp.errors![0]!.message);
    expect(await overWs(partnerKey, mutation, { id: world.event.id })).toEqual({
      data: { transitionEvent: { status: 'PUBLISHED' } },
    });
    // an unknown credential opens no socket at all (4403), as it gets 401 over HTTP
    expect(codeOf(await overWs('egk_00000000-0000-4000-8000-000000000000.nope', '{ __typename }'))).toBe('CLOSED_4403');
  });

  it('keep trusted-documents mode and the operation limits', async () => {
    expect(await overWs(trustedKey, '{ events(first: 1) { edges { node { id } } } }')).toMatchObject({
      data: { events: { edges: expect.any(Array) } },
    });
    expect(codeOf(await overWs(trustedKey, '{ events(first: 2) { edges { node { id } } } }'))).toBe('UNTRUSTED_OPERATION');
    expect(codeOf(await overWs(trustedKey, 'mutation { updateProfile(displayName: "x") { id } }'))).toBe('UNTRUSTED_OPERATION');
    const level = (inner: string) => `events { edges { node { venue { ${inner} } } } }`;
    const deep = `{ ${level(level(level(level(level('id')))))} }`;
    const refused = await overWs(user.accessToken, deep);
    expect(codeOf(refused)).toBe((await http(user.accessToken, deep)).body.errors![0]!.extensions!.code);
    expect(codeOf(refused)).toMatch(/^OPERATION_TOO_(DEEP|COSTLY)$/);
  });

  it("share the caller's rate limit with HTTP", async () => {
    // anonymous callers of one address share a bucket, whichever transport they use
    let last: Body = {};
    for (let i = 0; i < 80 && codeOf(last) !== 'RATE_LIMITED'; i++) last = await overWs(null, '{ __typename }');
    expect(codeOf(last)).toBe('RATE_LIMITED');
    const overHttp = await http(null, '{ __typename }');
    expect(overHttp.status).toBe(429);
  });
});
