import { createDemoWorld } from './support/demo-data';
import { addMember, as, signUp, type Account } from './support/accounts';
import { startTestPlatform, subscribe, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
let admin: Account;
let partnerAppId: string;

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code ?? 'OK';
const withToken = (token: string, query: string, variables?: Record<string, unknown>) =>
  platform.request(query, variables, { token });
const asAdmin = (query: string, variables?: Record<string, unknown>) =>
  as(platform, admin)(query, variables).then((r) => r.body as Body);

const CREATE_KEY = `mutation($app: ID!, $scopes: [String!]!, $rpm: Int) { createApiKey(partnerAppId: $app, name: "site", scopes: $scopes, rateLimitPerMinute: $rpm) { apiKey { id scopes } secret } }`;
const DRAFT = `query($id: ID!) { event(id: $id) { title series { name } } }`;

async function newKey(scopes: string[], rpm = 600): Promise<{ id: string; secret: string }> {
  const body = await asAdmin(CREATE_KEY, { app: partnerAppId, scopes, rpm });
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return { id: body.data.createApiKey.apiKey.id, secret: body.data.createApiKey.secret };
}

beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createDemoWorld(platform);
  admin = await signUp(platform, 'partner-admin');
  await platform.data(`mutation($o: ID!, $u: ID!) { addMember(organizationId: $o, userId: $u, role: ADMIN) { id } }`, {
    o: world.org.id,
    u: admin.id,
  });
  const created = await asAdmin(
    `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "City guide", whiteLabel: { brandName: "City Guide", primaryColor: "#112233" }) { id whiteLabel { brandName primaryColor allowedCategories allowedVisibilities } } }`,
    { o: world.org.id },
  );
  expect(created.data.createPartnerApp.whiteLabel).toEqual({
    brandName: 'City Guide',
    primaryColor: '#112233',
    allowedCategories: [],
    allowedVisibilities: ['PUBLIC'],
  });
  partnerAppId = created.data.createPartnerApp.id;
});
afterAll(() => platform?.stop());

describe('API keys', () => {
  it('are shown once, stored hashed, and act within their scopes', async () => {
    const reader = await newKey(['events:read']);
    expect(reader.secret).toMatch(/^egk_[0-9a-f-]{36}\.[\w-]{40,}$/);
    const listed = await asAdmin(`query($o: ID!) { partnerApps(organizationId: $o) { apiKeys { id active } } }`, {
      o: world.org.id,
    });
    expect(JSON.stringify(listed.data)).not.toContain(reader.secret.split('.')[1]);

    // public reads only: the draft event and the organisation's series stay hidden
    expect((await withToken(reader.secret, DRAFT, { id: world.event.id })).body.data).toEqual({ event: null });
    const write = await withToken(reader.secret, `mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, {
      id: world.event.id,
    });
    expect(codeOf(write.body as Body)).toBe('NOT_FOUND');

    const orgReader = await newKey(['org:read']);
    expect((await withToken(orgReader.secret, DRAFT, { id: world.event.id })).body.data).toEqual({
      event: { title: 'Summer Sound', series: [{ name: 'Day 1' }] },
    });
    const scopeViolation = await withToken(
      orgReader.secret,
      `mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`,
      {
        input: { organizationId: world.org.id, name: 'Annex', slug: 'annex', timeZone: 'Europe/Berlin' },
      },
    );
    expect(codeOf(scopeViolation.body as Body)).toBe('FORBIDDEN');

    const writer = await newKey(['org:write']);
    const allowed = await withToken(writer.secret, `mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, {
      input: { organizationId: world.org.id, name: 'Annex', slug: 'annex', timeZone: 'Europe/Berlin' },
    });
    expect(codeOf(allowed.body as Body)).toBe('OK');
  });

  it('show only the organisations their white-label configuration allows', async () => {
    const other = await createDemoWorld(platform);
    for (const id of [world.event.id, other.event.id]) {
      await platform
        .data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id })
        .catch(() => undefined);
    }
    const key = await newKey(['events:read']);
    const TITLES = `{ events(first: 100) { edges { node { id } } } }`;
    const seen = ((await withToken(key.secret, TITLES)).body.data as any).events.edges.map(
      (e: { node: { id: string } }) => e.node.id,
    );
    expect(seen).toContain(world.event.id);
    expect(seen).not.toContain(other.event.id);
    expect((await withToken(key.secret, `query($id: ID!) { event(id: $id) { id } }`, { id: other.event.id })).body.data).toEqual({
      event: null,
    });
    // the public still sees both
    const everyone = ((await platform.request(TITLES, {}, { token: null })).body.data as any).events.edges.map(
      (e: { node: { id: string } }) => e.node.id,
    );
    expect(everyone).toEqual(expect.arrayContaining([world.event.id, other.event.id]));

    await asAdmin(
      `mutation($id: ID!, $o: ID!) { updatePartnerApp(id: $id, whiteLabel: { brandName: "City Guide", allowedOrganizationIds: [$o] }) { id } }`,
      {
        id: partnerAppId,
        o: other.org.id,
      },
    );
    const widened = ((await withToken(key.secret, TITLES)).body.data as any).events.edges.map(
      (e: { node: { id: string } }) => e.node.id,
    );
    expect(widened).toEqual(expect.arrayContaining([world.event.id, other.event.id]));

    // categories and visibilities narrow it further, in lists, by id and in search alike
    const jazz = await platform.data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
      input: {
        venueId: world.venue.id,
        title: 'Jazz night',
        slug: 'jazz-night',
        startsAt: '2027-09-01T19:00:00Z',
        endsAt: '2027-09-01T23:00:00Z',
        categories: ['Jazz'],
      },
    });
    const unlisted = await platform.data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
      input: {
        venueId: world.venue.id,
        title: 'Jazz secret',
        slug: 'jazz-secret',
        startsAt: '2027-09-02T19:00:00Z',
        endsAt: '2027-09-02T23:00:00Z',
        categories: ['jazz'],
        visibility: 'UNLISTED',
      },
    });
    for (const id of [jazz.createEvent.id, unlisted.createEvent.id])
      await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id });
    await asAdmin(
      `mutation($id: ID!, $o: ID!) { updatePartnerApp(id: $id, whiteLabel: { brandName: "City Guide", allowedOrganizationIds: [$o], allowedCategories: ["JAZZ"] }) { id } }`,
      {
        id: partnerAppId,
        o: other.org.id,
      },
    );
    const jazzOnly = ((await withToken(key.secret, TITLES)).body.data as any).events.edges.map(
      (e: { node: { id: string } }) => e.node.id,
    );
    expect(jazzOnly).toEqual([jazz.createEvent.id]);
    const searched = await withToken(key.secret, `{ searchEvents(first: 50) { totalCount edges { node { id } } } }`);
    expect((searched.body.data as any).searchEvents).toEqual({ totalCount: 1, edges: [{ node: { id: jazz.createEvent.id } }] });
    const BY_ID = `query($id: ID!) { event(id: $id) { id } }`;
    expect((await withToken(key.secret, BY_ID, { id: world.event.id })).body.data).toEqual({ event: null });
    // UNLISTED is not among the app's visibilities (PUBLIC only), so not even by id
    expect((await withToken(key.secret, BY_ID, { id: unlisted.createEvent.id })).body.data).toEqual({ event: null });
    await asAdmin(
      `mutation($id: ID!) { updatePartnerApp(id: $id, whiteLabel: { brandName: "City Guide", allowedVisibilities: ["PUBLIC", "UNLISTED"] }) { id } }`,
      { id: partnerAppId },
    );
    expect((await withToken(key.secret, BY_ID, { id: unlisted.createEvent.id })).body.data).toEqual({
      event: { id: unlisted.createEvent.id },
    });
  });

  it('refuses unknown and malformed keys', async () => {
    const unknown = await withToken(`egk_00000000-0000-4000-8000-000000000000.${'a'.repeat(43)}`, '{ __typename }');
    expect(unknown.status).toBe(401);
    expect(unknown.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIAL' });
    expect((await withToken('egk_garbage', '{ __typename }')).status).toBe(401);
    expect(codeOf(await asAdmin(CREATE_KEY, { app: partnerAppId, scopes: ['root'] }))).toBe('BAD_USER_INPUT');
  });

  it('stop at once when revoked', async () => {
    const key = await newKey(['events:read']);
    expect((await withToken(key.secret, '{ __typename }')).status).toBe(200);
    await asAdmin(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: key.id });
    const after = await withToken(key.secret, '{ __typename }');
    expect(after.status).toBe(401);
  });

  it('rotate with an overlap window', async () => {
    const key = await newKey(['events:read']);
    const rotated = await asAdmin(
      `mutation($id: ID!) { rotateApiKey(id: $id, overlapMinutes: 30) { apiKey { id scopes } secret } }`,
      { id: key.id },
    );
    const next = rotated.data.rotateApiKey;
    expect(next.apiKey.scopes).toEqual(['events:read']);
    expect((await withToken(next.secret, '{ __typename }')).status).toBe(200);
    expect((await withToken(key.secret, '{ __typename }')).status).toBe(200);
    // rotating the new key with no overlap retires it immediately
    const again = await asAdmin(`mutation($id: ID!) { rotateApiKey(id: $id, overlapMinutes: 0) { secret } }`, {
      id: next.apiKey.id,
    });
    expect((await withToken(next.secret, '{ __typename }')).status).toBe(401);
    expect((await withToken(again.data.rotateApiKey.secret, '{ __typename }')).status).toBe(200);
  });

  it('have their own rate limit, answered with RATE_LIMITED and Retry-After', async () => {
    const key = await newKey(['events:read'], 3);
    for (let i = 0; i < 3; i++) expect((await withToken(key.secret, '{ __typename }')).status).toBe(200);
    const response = await fetch(platform.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}` },
      body: '{"query":"{ __typename }"}',
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await response.json()) as Body).errors![0]!.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: expect.any(Number),
    });
  });

  it('are managed by admins of their organisation only', async () => {
    const member = await signUp(platform, 'plain-member');
    await addMember(platform, admin, world.org.id, member, 'MEMBER');
    const refused = await as(platform, member)(CREATE_KEY, { app: partnerAppId, scopes: ['events:read'] });
    expect(codeOf(refused.body as Body)).toBe('FORBIDDEN');
    const stranger = await signUp(platform, 'stranger');
    const hidden = await as(platform, stranger)(CREATE_KEY, { app: partnerAppId, scopes: ['events:read'] });
    expect(codeOf(hidden.body as Body)).toBe('NOT_FOUND');
  });
});

describe('trusted-documents mode', () => {
  it('runs only the operations registered for the partner app, over HTTP and graphql-ws', async () => {
    const registered = '{ events(first: 5) { edges { node { title } } } }';
    const subscription = 'subscription($s: ID!) { checkInRecorded(seriesId: $s) { allowed } }';
    const key = await newKey(['org:read']);
    const hashes = await asAdmin(
      `mutation($app: ID!, $docs: [String!]!) { registerTrustedDocuments(partnerAppId: $app, documents: $docs) }`,
      {
        app: partnerAppId,
        docs: [registered, subscription],
      },
    );
    expect(hashes.data.registerTrustedDocuments).toHaveLength(2);
    expect(
      codeOf(
        await asAdmin(`mutation($id: ID!) { updatePartnerApp(id: $id, trustedDocumentsOnly: true) { trustedDocumentsOnly } }`, {
          id: partnerAppId,
        }),
      ),
    ).toBe('OK');

    expect((await withToken(key.secret, registered)).status).toBe(200);
    const other = await withToken(key.secret, '{ events(first: 6) { edges { node { title } } } }');
    expect(other.status).toBe(403);
    expect(codeOf(other.body as Body)).toBe('UNTRUSTED_OPERATION');

    const ws = platform.wsClient({ authorization: `Bearer ${key.secret}` });
    const refused = subscribe(ws, 'subscription($s: ID!) { checkInRecorded(seriesId: $s) { reason } }', { s: world.series.id });
    await expect(refused.next(1, 3000)).rejects.toThrow();
    expect(JSON.stringify(refused.error)).toContain('UNTRUSTED_OPERATION');

    await asAdmin(`mutation($id: ID!) { updatePartnerApp(id: $id, trustedDocumentsOnly: false) { trustedDocumentsOnly } }`, {
      id: partnerAppId,
    });
    expect((await withToken(key.secret, '{ events(first: 6) { edges { node { title } } } }')).status).toBe(200);
  });
});

describe('white-label configuration', () => {
  const WHITE_LABEL = 'whiteLabel { brandName primaryColor accentColor logoUrl allowedOrigins }';
  const LOGO = `data:image/png;base64,${Buffer.from('a tiny logo').toString('base64')}`;

  it('brands the partner site (name, colours, logo) and lists its origins, read back by the partner’s own key', async () => {
    const created = await asAdmin(
      `mutation($o: ID!, $w: WhiteLabelInput!) { createPartnerApp(organizationId: $o, name: "Night guide", whiteLabel: $w) { id ${WHITE_LABEL} } }`,
      {
        o: world.org.id,
        w: {
          brandName: 'Night Guide',
          primaryColor: '#101820',
          accentColor: '#fee715',
          logoUrl: LOGO,
          allowedOrigins: ['https://Night.Example:443', 'http://localhost:5173', 'https://night.example'],
        },
      },
    );
    expect(created.data.createPartnerApp.whiteLabel).toEqual({
      brandName: 'Night Guide',
      primaryColor: '#101820',
      accentColor: '#fee715',
      logoUrl: LOGO,
      allowedOrigins: ['https://night.example', 'http://localhost:5173'],
    });
    const appId = created.data.createPartnerApp.id;
    const key = await asAdmin(CREATE_KEY, { app: appId, scopes: ['events:read'] });
    const branding = await withToken(
      key.data.createApiKey.secret,
      '{ partnerBranding { partnerAppId appName brandName primaryColor accentColor logoUrl } }',
    );
    expect(branding.body.data).toEqual({
      partnerBranding: {
        partnerAppId: appId,
        appName: 'Night guide',
        brandName: 'Night Guide',
        primaryColor: '#101820',
        accentColor: '#fee715',
        logoUrl: LOGO,
      },
    });

    // a change shows at once
    await asAdmin(
      `mutation($id: ID!) { updatePartnerApp(id: $id, whiteLabel: { brandName: "Night Guide 2", logoUrl: "https://cdn.example.com/logo.svg" }) { id } }`,
      {
        id: appId,
      },
    );
    expect((await withToken(key.data.createApiKey.secret, '{ partnerBranding { brandName logoUrl } }')).body.data).toEqual({
      partnerBranding: { brandName: 'Night Guide 2', logoUrl: 'https://cdn.example.com/logo.svg' },
    });
  });

  it('refuses origins that are not scheme, host and port, and logos that are not https or a small image', async () => {
    const attempt = (w: Record<string, unknown>) =>
      asAdmin(
        `mutation($o: ID!, $w: WhiteLabelInput!) { createPartnerApp(organizationId: $o, name: "Bad", whiteLabel: $w) { id } }`,
        {
          o: world.org.id,
          w: { brandName: 'Bad', ...w },
        },
      );
    for (const [input, field] of [
      [{ allowedOrigins: ['https://ok.example', 'https://site.example/path'] }, 'whiteLabel.allowedOrigins[1]'],
      [{ allowedOrigins: ['https://*.example'] }, 'whiteLabel.allowedOrigins[0]'],
      [{ allowedOrigins: ['http://site.example'] }, 'whiteLabel.allowedOrigins[0]'],
      [{ logoUrl: 'http://cdn.example.com/logo.png' }, 'whiteLabel.logoUrl'],
      [{ logoUrl: 'data:text/html;base64,PGI+aGk8L2I+' }, 'whiteLabel.logoUrl'],
    ] as const) {
      const body = await attempt(input);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(body.data).toBeNull();
    }
  });

  it('is read through partnerBranding by partner keys only', async () => {
    expect(codeOf(await asAdmin('{ partnerBranding { brandName } }'))).toBe('FORBIDDEN');
    expect(codeOf((await platform.request('{ partnerBranding { brandName } }', {}, { token: null })).body as Body)).toBe(
      'FORBIDDEN',
    );
  });
});

describe('scanner devices', () => {
  it("are linked only to their own organisation's gates", async () => {
    const other = await createDemoWorld(platform);
    const REGISTER = `mutation($o: ID!, $g: [ID!]!) { registerDevice(organizationId: $o, name: "Borrowed", gateIds: $g) { device { id } } }`;
    const missing = '00000000-0000-4000-8000-000000000000';
    const register = (gate: string) => asAdmin(REGISTER, { o: world.org.id, g: [world.gate.id, gate] });
    const [foreign, unknown] = await Promise.all([register(other.gate.id), register(missing)]);
    expect(codeOf(foreign)).toBe('NOT_FOUND');
    expect(foreign.errors![0]!.extensions).toMatchObject({ field: 'gateIds[1]' });
    // another organisation's gate is refused exactly like one that does not exist
    expect(foreign.errors![0]!.message.replace(other.gate.id, missing)).toBe(unknown.errors![0]!.message);
    expect(
      (await asAdmin(`query($o: ID!) { devices(organizationId: $o) { edges { node { name } } } }`, { o: world.org.id })).data
        .devices.edges,
    ).not.toContainEqual({ node: { name: 'Borrowed' } });

    const own = await asAdmin(REGISTER, { o: world.org.id, g: [world.gate.id] });
    const moved = await asAdmin(`mutation($id: ID!, $g: [ID!]!) { updateDeviceGates(id: $id, gateIds: $g) { allowedGateIds } }`, {
      id: own.data.registerDevice.device.id,
      g: [other.gate.id],
    });
    expect(codeOf(moved)).toBe('NOT_FOUND');
    expect(moved.errors![0]!.extensions).toMatchObject({ field: 'gateIds[0]' });
  });

  it('are provisioned once, scan only at their gates, and can be rolled and revoked', async () => {
    const registered = await asAdmin(
      `mutation($o: ID!, $g: [ID!]!) { registerDevice(organizationId: $o, name: "Gate 1 scanner", gateIds: $g) { device { id } provisioningToken } }`,
      {
        o: world.org.id,
        g: [world.gate.id],
      },
    );
    const { device, provisioningToken } = registered.data.registerDevice;
    const PROVISION = `mutation($t: String!) { provisionDevice(provisioningToken: $t) { credential } }`;
    const provisioned = await platform.request(PROVISION, { t: provisioningToken }, { token: null });
    const credential = (provisioned.body.data as any).provisionDevice.credential as string;
    expect(credential).toMatch(/^egd_/);
    expect(codeOf((await platform.request(PROVISION, { t: provisioningToken }, { token: null })).body as Body)).toBe(
      'UNAUTHENTICATED',
    );

    const SCAN = `mutation($s: ID!, $g: ID!) { checkIn(input: { seriesId: $s, gateId: $g, nfcId: "NOT-A-BAND" }) { allowed reason } }`;
    expect((await withToken(credential, SCAN, { s: world.series.id, g: world.gate.id })).body.data).toEqual({
      checkIn: { allowed: false, reason: 'UNKNOWN_WRISTBAND' },
    });
    const otherGate = await platform.data(
      `mutation($e: ID!) { createGate(input: { eventId: $e, name: "Side", direction: BOTH }) { id } }`,
      { e: world.event.id },
    );
    expect((await withToken(credential, SCAN, { s: world.series.id, g: otherGate.createGate.id })).body.data).toEqual({
      checkIn: { allowed: false, reason: 'DEVICE_NOT_ALLOWED' },
    });
    const write = await withToken(
      credential,
      `mutation($e: ID!) { createGate(input: { eventId: $e, name: "Rogue", direction: BOTH }) { id } }`,
      { e: world.event.id },
    );
    expect(codeOf(write.body as Body)).toBe('FORBIDDEN');

    const rolled = await asAdmin(`mutation($id: ID!) { rollDeviceCredential(id: $id) { credential } }`, { id: device.id });
    expect((await withToken(credential, '{ __typename }')).status).toBe(401);
    const fresh = rolled.data.rollDeviceCredential.credential;
    expect((await withToken(fresh, '{ __typename }')).status).toBe(200);
    await asAdmin(`mutation($id: ID!) { revokeDevice(id: $id) { revokedAt } }`, { id: device.id });
    expect((await withToken(fresh, '{ __typename }')).status).toBe(401);
  });
});

describe('anonymous callers', () => {
  it('are rate limited per client address', async () => {
    let limited: Response | undefined;
    for (let i = 0; i < 200 && !limited; i++) {
      const response = await fetch(platform.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      if (response.status === 429) limited = response;
    }
    expect(limited?.status).toBe(429);
    expect(((await limited!.json()) as Body).errors![0]!.extensions?.code).toBe('RATE_LIMITED');
  });
});
