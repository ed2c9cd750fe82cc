import { issueAccessToken } from '@eventgraph/runtime';
import { as, signUp } from './support/accounts';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform?.stop());

const ME = '{ me { id displayName email preferences { categories } } }';
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { user { id } accessToken refreshToken } }`;
const LOG_IN = `mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { accessToken refreshToken } }`;
const REFRESH = `mutation($token: String!) { refreshSession(refreshToken: $token) { accessToken refreshToken } }`;
const anonymous = (query: string, variables?: Record<string, unknown>) => platform.request(query, variables, { token: null });
const codeOf = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => body.errors?.[0]?.extensions?.code;

describe('signing up', () => {
  it('creates an account and a session whose access token the gateway accepts', async () => {
    const alice = await signUp(platform, 'alice');
    const { body } = await as(platform, alice)(ME);
    expect(body.data).toEqual({
      me: { id: alice.id, displayName: 'alice', email: alice.email, preferences: { categories: [] } },
    });
  });

  it.each([
    ['a short password', { password: 'short' }, 'BAD_USER_INPUT', /^password: must be at least 10/],
    ['a missing password', { password: '' }, 'BAD_USER_INPUT', /^password: /],
    [
      'a password made of the email',
      { password: 'weakling-user-1234', email: 'weakling-user@example.com' },
      'BAD_USER_INPUT',
      /email/,
    ],
    ['a malformed email', { email: 'not-an-email' }, 'BAD_USER_INPUT', /^email: /],
  ])('refuses %s', async (_case, change, code, message) => {
    const input = {
      email: `bob-${Math.random()}@example.com`,
      password: 'a perfectly fine passphrase',
      displayName: 'Bob',
      ...change,
    };
    const { body } = await anonymous(SIGN_UP, { input });
    expect(codeOf(body)).toBe(code);
    expect(body.errors![0]!.message).toMatch(message);
  });

  it('refuses a second account with the same email as a CONFLICT', async () => {
    const carol = await signUp(platform, 'carol');
    const { body } = await anonymous(SIGN_UP, {
      input: { email: carol.email.toUpperCase(), password: 'another fine passphrase', displayName: 'Carol 2' },
    });
    expect(codeOf(body)).toBe('CONFLICT');
  });
});

describe('logging in', () => {
  it('gives the same answer for a wrong password and an unknown email', async () => {
    const dave = await signUp(platform, 'dave');
    const wrong = await anonymous(LOG_IN, { email: dave.email, password: 'not the password at all' });
    const unknown = await anonymous(LOG_IN, { email: `nobody-${Date.now()}@example.com`, password: 'not the password at all' });
    expect(codeOf(wrong.body)).toBe('UNAUTHENTICATED');
    expect(wrong.body.errors![0]!.message).toBe(unknown.body.errors![0]!.message);
    expect(codeOf(unknown.body)).toBe('UNAUTHENTICATED');
    const ok = await anonymous(LOG_IN, { email: dave.email, password: dave.password });
    expect((ok.body.data as any).logIn.accessToken).toEqual(expect.any(String));
  });

  it('locks an email after repeated failures, whether or not an account exists, and says when to retry', async () => {
    const erin = await signUp(platform, 'erin');
    for (const email of [erin.email, `ghost-${Date.now()}@example.com`]) {
      for (let i = 0; i < 5; i++) await anonymous(LOG_IN, { email, password: 'wrong password guess' });
      const locked = await anonymous(LOG_IN, { email, password: email === erin.email ? erin.password : 'anything at all' });
      expect(codeOf(locked.body)).toBe('RATE_LIMITED');
      expect(locked.body.errors![0]!.extensions).toMatchObject({ retryAfterSeconds: expect.any(Number) });
    }
  });
});

describe('sessions', () => {
  it('rotates refresh tokens, and a reused one revokes the whole family', async () => {
    const frank = await signUp(platform, 'frank');
    const first = await anonymous(REFRESH, { token: frank.refreshToken });
    const rotated = (first.body.data as any).refreshSession;
    expect(rotated.refreshToken).not.toBe(frank.refreshToken);
    expect((await as(platform, rotated)(ME)).body.data).toMatchObject({ me: { id: frank.id } });

    const reuse = await anonymous(REFRESH, { token: frank.refreshToken });
    expect(codeOf(reuse.body)).toBe('UNAUTHENTICATED');
    expect(reuse.body.errors![0]!.extensions).toMatchObject({ reason: 'REUSED' });
    // the thief's reuse also ends the legitimate descendant
    const descendant = await anonymous(REFRESH, { token: rotated.refreshToken });
    expect(codeOf(descendant.body)).toBe('UNAUTHENTICATED');
  });

  it('refuses malformed and unknown refresh tokens', async () => {
    expect(codeOf((await anonymous(REFRESH, { token: 'garbage' })).body)).toBe('UNAUTHENTICATED');
    expect(
      codeOf((await anonymous(REFRESH, { token: '00000000-0000-4000-8000-000000000000.aaaaaaaaaaaaaaaaaaaaaaaaaa' })).body),
    ).toBe('UNAUTHENTICATED');
  });

  it('logs out: the refresh token stops working', async () => {
    const gina = await signUp(platform, 'gina');
    const out = await anonymous(`mutation($t: String!) { logOut(refreshToken: $t) }`, { t: gina.refreshToken });
    expect(out.body.data).toEqual({ logOut: true });
    expect(codeOf((await anonymous(REFRESH, { token: gina.refreshToken })).body)).toBe('UNAUTHENTICATED');
  });

  it('refuses tampered and expired access tokens at the gateway', async () => {
    const hank = await signUp(platform, 'hank');
    const [header, payload, signature] = hank.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: '00000000-0000-4000-8000-000000000000' })).toString('base64url')}.${signature}`;
    const tampered = await platform.request(ME, {}, { token: forged });
    expect(tampered.status).toBe(401);
    expect(tampered.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });

    const secret = process.env.EVENTGRAPH_JWT_SECRET ?? 'eventgraph-development-jwt-secret-0123456789';
    const expired = await issueAccessToken(hank.id, secret, 60, new Date(Date.now() - 3600_000));
    const stale = await platform.request(ME, {}, { token: expired.token });
    expect(stale.status).toBe(401);
    expect(stale.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
  });

  it('changing the password ends the other sessions and earlier access tokens', async () => {
    const ivy = await signUp(platform, 'ivy');
    await new Promise((r) => setTimeout(r, 1100)); // access tokens carry whole seconds
    const changed = await as(platform, ivy)(
      `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { accessToken refreshToken } }`,
      { c: ivy.password, n: 'a brand new passphrase' },
    );
    const session = (changed.body.data as any).changePassword;
    expect((await as(platform, session)(ME)).body.data).toMatchObject({ me: { id: ivy.id } });
    const old = await as(platform, ivy)(ME);
    expect(old.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CREDENTIALS_CHANGED' });
    expect(codeOf((await anonymous(REFRESH, { token: ivy.refreshToken })).body)).toBe('UNAUTHENTICATED');
    expect(codeOf((await anonymous(LOG_IN, { email: ivy.email, password: ivy.password })).body)).toBe('UNAUTHENTICATED');
  });
});

describe('profile and preferences', () => {
  it('are the user’s own to change, and private to them', async () => {
    const jack = await signUp(platform, 'jack');
    const kate = await signUp(platform, 'kate');
    const updated = await as(
      platform,
      jack,
    )(
      `mutation { updatePreferences(input: { categories: ["Jazz", "jazz", "techno"], keywords: ["open air"], maxDistanceKm: 50, notificationChannels: [EMAIL, PUSH] }) { preferences { categories keywords maxDistanceKm notificationChannels } } }`,
    );
    expect((updated.body.data as any).updatePreferences.preferences).toEqual({
      categories: ['jazz', 'techno'],
      keywords: ['open air'],
      maxDistanceKm: 50,
      notificationChannels: ['EMAIL', 'PUSH'],
    });
    const seenByKate = await as(platform, kate)(
      `query($id: ID!) { user(id: $id) { displayName email preferences { categories } } }`,
      { id: jack.id },
    );
    expect(seenByKate.body.data).toEqual({ user: { displayName: 'jack', email: null, preferences: null } });
    const anon = await anonymous(`mutation { updateProfile(displayName: "Nobody") { id } }`);
    expect(codeOf(anon.body)).toBe('UNAUTHENTICATED');
  });
});
