import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createDemoWorld } from './support/demo-data';
import { as, signUp, type Account } from './support/accounts';
import { startTestPlatform, subscribe, type GraphQLResponse, type TestPlatform } from './support/test-platform';

/**
 * Revocation reaches live subscriptions: whatever ends a caller's rights or credential ends the
 * graphql-ws subscriptions they already hold, within a second or two, with a coded error.
 */
let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;

beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createDemoWorld(platform);
}, 180_000); // four subgraphs and the gateway, on a machine that may be busy
const sockets: Client[] = [];
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await platform?.stop();
});

const CHECK_INS = `subscription($s: ID!) { checkInRecorded(seriesId: $s) { id allowed } }`;
const ME = '{ me { id } }';
type Errors = GraphQLResponse<unknown>['errors'];
const codeOf = (body: { errors?: Errors }) => body.errors?.[0]?.extensions?.code;

/** A signed-up user who is a member of the demo organisation with `role`; returns the account and membership id. */
async function member(role: string): Promise<Account & { membershipId: string }> {
  const account = await signUp(platform, role.toLowerCase());
  const { addMember } = await platform.data(
    `mutation($o: ID!, $u: ID!, $r: Role!) { addMember(organizationId: $o, userId: $u, role: $r) { id } }`,
    { o: world.org.id, u: account.id, r: role },
  );
  return { ...account, membershipId: addMember.id };
}

const scan = () =>
  platform.data(`mutation($s: ID!, $g: ID!) { checkIn(input: { seriesId: $s, gateId: $g, nfcId: "NOT-A-BAND" }) { id } }`, {
    s: world.series.id,
    g: world.gate.id,
  });

/** Subscribes to the series' check-ins over a socket with `credential`, and waits until scans arrive. */
async function watchCheckIns(credential: string) {
  const closes: number[] = [];
  const client = createClient({
    url: platform.gateway.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${credential}` },
    on: { closed: (event) => void closes.push((event as { code: number }).code) },
  });
  sockets.push(client);
  const stream = Object.assign(subscribe(client, CHECK_INS, { s: world.series.id }), { closes });
  // the upstream opens asynchronously: scan until one reaches this subscriber (bounded)
  const deadline = Date.now() + 10_000;
  while (stream.results.length === 0) {
    if (stream.error || stream.completed) throw new Error(`subscription ended early: ${JSON.stringify(stream.error)}`);
    if (Date.now() > deadline) throw new Error('no check-in reached the subscriber');
    await scan();
    await stream.next(1, 500).catch(() => undefined);
  }
  expect(stream.results[0]!.data).toMatchObject({ checkInRecorded: { allowed: false } });
  return stream;
}

/**
 * Waits (at most 3 s) for the subscription's final error, and checks it was the end: nothing came
 * after it, and the stream completed or its socket closed.
 */
async function endsWith(stream: Awaited<ReturnType<typeof watchCheckIns>>, code: string) {
  const started = Date.now();
  const deadline = started + 3_000;
  const failed = () => stream.results.findIndex((r) => r.errors?.length);
  while (failed() < 0) {
    if (Date.now() > deadline) throw new Error(`no ${code} within 3 s (results: ${JSON.stringify(stream.results)})`);
    await stream.next(stream.results.length + 1, deadline - Date.now()).catch(() => undefined);
  }
  const last = stream.results[failed()]!;
  expect(last.errors![0]!.extensions).toMatchObject({ code });
  expect(failed()).toBe(stream.results.length - 1);
  // the end follows the error at once: complete, or the socket's close
  const ended = Date.now() + 2_000;
  while (!stream.completed && !stream.error && Date.now() < ended) await new Promise((r) => setTimeout(r, 20));
  expect(stream.completed || stream.error !== undefined).toBe(true);
  // a scan now reaches no one on that stream
  const before = stream.results.length;
  await scan();
  expect(stream.results.length).toBe(before);
  return last.errors![0]!;
}

describe('a live subscription ends when', () => {
  it('its member is removed from the organisation (PERMISSIONS_CHANGED), and a new one sees nothing', async () => {
    const mia = await member('MEMBER');
    const stream = await watchCheckIns(mia.accessToken);
    await platform.data(`mutation($id: ID!) { removeMember(membershipId: $id) }`, { id: mia.membershipId });
    const error = await endsWith(stream, 'PERMISSIONS_CHANGED');
    expect(error.message).toMatch(/subscribe again/);
    // the socket stays open: subscribing again is authorised against current rights, which see nothing
    const again = subscribe(platform.wsClient({ authorization: `Bearer ${mia.accessToken}` }), CHECK_INS, {
      s: world.series.id,
    });
    const deadline = Date.now() + 2_000;
    while (platform.gateway.engine.upstreamCount() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await scan();
    await expect(again.next(1, 500)).rejects.toThrow(/no subscription result/);
  });

  it('its member drops below checkins.read (PERMISSIONS_CHANGED)', async () => {
    const max = await member('MEMBER');
    const stream = await watchCheckIns(max.accessToken);
    await platform.data(`mutation($id: ID!) { changeMemberRole(membershipId: $id, role: VIEWER) { role } }`, {
      id: max.membershipId,
    });
    await endsWith(stream, 'PERMISSIONS_CHANGED');
  });

  it('but not when the member gains a right: the subscription goes on', async () => {
    const noa = await member('MEMBER');
    const stream = await watchCheckIns(noa.accessToken);
    await platform.data(`mutation($id: ID!) { changeMemberRole(membershipId: $id, role: MANAGER) { role } }`, {
      id: noa.membershipId,
    });
    const seen = stream.results.length;
    await scan();
    await stream.next(seen + 1, 3_000);
    expect(stream.results.slice(seen).every((r) => !r.errors)).toBe(true);
  });

  it('its API key is revoked (UNAUTHENTICATED, INVALID_CREDENTIAL; the socket closes with 4401)', async () => {
    const admin = await member('ADMIN');
    const app = await as(platform, admin)(
      `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Live board", whiteLabel: { brandName: "Board" }) { id } }`,
      {
        o: world.org.id,
      },
    );
    const created = await as(platform, admin)(
      `mutation($a: ID!) { createApiKey(partnerAppId: $a, name: "board", scopes: ["org:read"]) { apiKey { id } secret } }`,
      { a: (app.body.data as any).createPartnerApp.id },
    );
    const key = (created.body.data as any).createApiKey;
    const stream = await watchCheckIns(key.secret);
    await as(platform, admin)(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: key.apiKey.id });
    const error = await endsWith(stream, 'UNAUTHENTICATED');
    expect(error.extensions).toMatchObject({ reason: 'INVALID_CREDENTIAL' });
    // graphql-ws's Unauthorized, which its client does not retry
    const deadline = Date.now() + 2_000;
    while (stream.closes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(stream.closes).toEqual([4401]);
  });

  it('its scanner device is revoked (UNAUTHENTICATED, INVALID_CREDENTIAL)', async () => {
    const admin = await member('ADMIN');
    const registered = await as(platform, admin)(
      `mutation($o: ID!, $g: [ID!]!) { registerDevice(organizationId: $o, name: "Gate tablet", gateIds: $g) { device { id } provisioningToken } }`,
      { o: world.org.id, g: [world.gate.id] },
    );
    const { device, provisioningToken } = (registered.body.data as any).registerDevice;
    const provisioned = await platform.request(
      `mutation($t: String!) { provisionDevice(provisioningToken: $t) { credential } }`,
      { t: provisioningToken },
      { token: null },
    );
    const stream = await watchCheckIns((provisioned.body.data as any).provisionDevice.credential);
    await as(platform, admin)(`mutation($id: ID!) { revokeDevice(id: $id) { revokedAt } }`, { id: device.id });
    const error = await endsWith(stream, 'UNAUTHENTICATED');
    expect(error.extensions).toMatchObject({ reason: 'INVALID_CREDENTIAL' });
  });

  it('its user signs out everywhere (UNAUTHENTICATED, SESSION_REVOKED), and the access token is refused over HTTP', async () => {
    const lea = await member('MEMBER');
    const stream = await watchCheckIns(lea.accessToken);
    const out = await as(platform, lea)(`mutation { logOutEverywhere }`);
    expect(out.body.data).toEqual({ logOutEverywhere: true });
    const error = await endsWith(stream, 'UNAUTHENTICATED');
    expect(error.extensions).toMatchObject({ reason: 'SESSION_REVOKED' });
    const refused = await as(platform, lea)(ME);
    expect(refused.status).toBe(401);
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
  });

  it('its user changes the password (UNAUTHENTICATED)', async () => {
    const ada = await member('MEMBER');
    const stream = await watchCheckIns(ada.accessToken);
    const changed = await as(platform, ada)(
      `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { accessToken } }`,
      { c: ada.password, n: 'an entirely new passphrase' },
    );
    expect(codeOf(changed.body)).toBeUndefined();
    const error = await endsWith(stream, 'UNAUTHENTICATED');
    // CREDENTIALS_CHANGED, or SESSION_REVOKED when the token was issued in the very second of the change
    expect(['CREDENTIALS_CHANGED', 'SESSION_REVOKED']).toContain(error.extensions?.reason);
  });

  it("a reused refresh token revokes its family: the family's access tokens are refused and their subscriptions end", async () => {
    const ben = await member('MEMBER');
    const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;
    const rotated = (await platform.request(REFRESH, { t: ben.refreshToken }, { token: null })).body.data as any;
    const current = rotated.refreshSession as { accessToken: string };
    expect((await as(platform, current)(ME)).status).toBe(200);
    const stream = await watchCheckIns(current.accessToken);

    const reuse = await platform.request(REFRESH, { t: ben.refreshToken }, { token: null });
    expect(reuse.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'REUSED' });
    const error = await endsWith(stream, 'UNAUTHENTICATED');
    expect(error.extensions).toMatchObject({ reason: 'SESSION_REVOKED' });
    for (const token of [current.accessToken, ben.accessToken]) {
      const refused = await platform.request(ME, {}, { token });
      expect(refused.status).toBe(401);
      expect(refused.body.errors![0]!.extensions).toMatchObject({ reason: 'SESSION_REVOKED' });
    }
    // another session of the same user is not touched
    const other = await platform.request(
      `mutation($e: String!, $p: String!, $c: String) { logIn(email: $e, password: $p, clientToken: $c) { accessToken } }`,
      { e: ben.email, p: ben.password, c: ben.clientToken },
      { token: null },
    );
    expect((await as(platform, (other.body.data as any).logIn)(ME)).status).toBe(200);
  });
});
