import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { recentMail } from '@eventgraph/subgraph-users/src/mail/mailer';
import { issueAccessToken } from '@eventgraph/runtime';
import { as, signUp, verificationToken } from './support/accounts';
import { startTestPlatform, type GraphQLResponse, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform?.stop());

const ME = '{ me { id displayName email preferences { categories } } }';
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { accepted email message } }`;
const VERIFY = `mutation($token: String!) { verifyEmail(token: $token) { user { id } accessToken refreshToken clientToken } }`;
const LOG_IN = `mutation($email: String!, $password: String!, $clientToken: String) {
  logIn(email: $email, password: $password, clientToken: $clientToken) { accessToken refreshToken clientToken } }`;
const REFRESH = `mutation($token: String!) { refreshSession(refreshToken: $token) { accessToken refreshToken } }`;
const anonymous = (query: string, variables?: Record<string, unknown>) => platform.request(query, variables, { token: null });
const codeOf = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => body.errors?.[0]?.extensions?.code;

/**
 * An anonymous request sent from another loopback address (127.0.0.0/8 is all this machine), so tests can act as
 * different clients: the gateway sees the socket's address, never a header the client could write.
 */
function from(address: string, query: string, variables: Record<string, unknown>): Promise<GraphQLResponse<any>> {
  const url = new URL(platform.gateway.url);
  const payload = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname === 'localhost' ? '127.0.0.1' : url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: address,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Repeats `attempt` until it is no longer RATE_LIMITED (bounded), and returns that answer. */
async function whenHeard(attempt: () => Promise<GraphQLResponse<any>>, timeoutMs = 10_000): Promise<GraphQLResponse<any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await attempt();
    if (codeOf(answer) !== 'RATE_LIMITED') return answer;
    if (Date.now() > deadline) throw new Error(`still RATE_LIMITED after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const retryAfter = (body: GraphQLResponse<unknown>) => body.errors?.[0]?.extensions?.retryAfterSeconds;
const newEmail = (name: string) => `${name}-${randomUUID()}@example.com`;

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

  it('answers a taken email exactly as a new one, and tells the owner instead of the caller', async () => {
    const carol = await signUp(platform, 'carol');
    const fresh = newEmail('fresh');
    const taken = await anonymous(SIGN_UP, {
      input: { email: carol.email.toUpperCase(), password: 'another fine passphrase', displayName: 'Carol 2' },
    });
    const untaken = await anonymous(SIGN_UP, {
      input: { email: fresh, password: 'another fine passphrase', displayName: 'New' },
    });
    expect(taken.status).toBe(untaken.status);
    const shape = (body: typeof taken.body, email: string) => JSON.stringify(body).split(email).join('<email>');
    expect(shape(taken.body, carol.email)).toBe(shape(untaken.body, fresh));
    expect(taken.body.data).toEqual({ signUp: { accepted: true, email: carol.email, message: expect.any(String) } });
    // the owner learns of it; no second account, no verification token for the taken address
    expect(recentMail(carol.email).map((m) => m.kind)).toEqual(['verify-email', 'sign-up-attempt']);
    expect(recentMail(fresh).map((m) => m.kind)).toEqual(['verify-email']);
    // more attempts on the taken address are answered alike, but its owner is not flooded with notices
    for (let i = 0; i < 3; i++) {
      const again = await anonymous(SIGN_UP, {
        input: { email: carol.email, password: 'another fine passphrase', displayName: 'Carol 3' },
      });
      expect(shape(again.body, carol.email)).toBe(shape(untaken.body, fresh));
    }
    expect(recentMail(carol.email).map((m) => m.kind)).toEqual(['verify-email', 'sign-up-attempt']);
    const stranger = await anonymous(LOG_IN, { email: carol.email, password: 'another fine passphrase' });
    expect(codeOf(stranger.body)).toBe('UNAUTHENTICATED');
  });

  it('signs the account in only once the mailed token comes back; until then logIn answers as for a wrong password', async () => {
    const email = newEmail('paula');
    const password = 'paula’s long passphrase';
    const { body } = await anonymous(SIGN_UP, { input: { email, password, displayName: 'Paula' } });
    expect(body.data).toEqual({ signUp: { accepted: true, email, message: expect.stringContaining(email) } });
    const early = await anonymous(LOG_IN, { email, password });
    const wrong = await anonymous(LOG_IN, { email: newEmail('nobody'), password });
    expect(codeOf(early.body)).toBe('UNAUTHENTICATED');
    expect(early.body.errors![0]!.message).toBe(wrong.body.errors![0]!.message);

    const token = verificationToken(email);
    const verified = await anonymous(VERIFY, { token });
    const session = (verified.body.data as any).verifyEmail;
    expect(session.clientToken).toMatch(/^egl_/);
    expect((await as(platform, session)(ME)).body.data).toMatchObject({
      me: { id: session.user.id, email, displayName: 'Paula' },
    });
    const again = await anonymous(VERIFY, { token });
    expect(again.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_VERIFICATION' });
    const forged = await anonymous(VERIFY, { token: `${token.split('.')[0]}.${randomBytes(32).toString('base64url')}` });
    expect(codeOf(forged.body)).toBe('UNAUTHENTICATED');
    expect(codeOf((await anonymous(LOG_IN, { email, password })).body)).toBeUndefined();
  });

  it('keeps each sign-up its own: a stranger signing up with the address cannot set the password the owner gets', async () => {
    const email = newEmail('quinn');
    await anonymous(SIGN_UP, { input: { email, password: 'the owner’s own passphrase', displayName: 'Quinn' } });
    const ownersToken = verificationToken(email);
    await anonymous(SIGN_UP, { input: { email, password: 'the stranger’s passphrase', displayName: 'Not Quinn' } });
    const session = (await anonymous(VERIFY, { token: ownersToken })).body.data as any;
    expect((await as(platform, session.verifyEmail)(ME)).body.data).toMatchObject({ me: { displayName: 'Quinn' } });
    // the stranger's token died with the owner's verification, and their password opens nothing
    expect(codeOf((await anonymous(VERIFY, { token: verificationToken(email) })).body)).toBe('UNAUTHENTICATED');
    expect(codeOf((await anonymous(LOG_IN, { email, password: 'the stranger’s passphrase' })).body)).toBe('UNAUTHENTICATED');
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

  it('slows a guesser down on an account with a growing delay, from any address, known account or not', async () => {
    const erin = await signUp(platform, 'erin');
    for (const email of [erin.email, newEmail('ghost')]) {
      const guess = (address: string) => from(address, LOG_IN, { email, password: 'wrong password guess' });
      for (let i = 0; i < 5; i++) expect(codeOf(await guess('127.0.0.11'))).toBe('UNAUTHENTICATED');
      // the sixth waits a second, the next two, then four: from this address and from any other
      const first = await guess('127.0.0.11');
      expect(first.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
      expect(codeOf(await guess('127.0.0.12'))).toBe('RATE_LIMITED');
      expect(codeOf(await whenHeard(() => guess('127.0.0.12')))).toBe('UNAUTHENTICATED');
      expect(retryAfter(await guess('127.0.0.11'))).toBe(2);
      expect(codeOf(await whenHeard(() => guess('127.0.0.11')))).toBe('UNAUTHENTICATED');
      expect(retryAfter(await guess('127.0.0.11'))).toBe(4);
      // even the right password waits, from a client the account does not know
      const password = email === erin.email ? erin.password : 'anything at all';
      expect(codeOf(await from('127.0.0.13', LOG_IN, { email, password }))).toBe('RATE_LIMITED');
    }
  });

  it('lets the owner in from a known client while a stranger’s failures throttle the account for everyone else', async () => {
    const fay = await signUp(platform, 'fay');
    const neighbour = await signUp(platform, 'fays-neighbour');
    for (let i = 0; i < 8; i++) await from('127.0.0.21', LOG_IN, { email: fay.email, password: `stranger guess ${i}` });
    const rightPassword = (address: string, clientToken?: string) =>
      from(address, LOG_IN, { email: fay.email, password: fay.password, clientToken });
    expect(codeOf(await rightPassword('127.0.0.21'))).toBe('RATE_LIMITED');
    expect(codeOf(await rightPassword('127.0.0.22'))).toBe('RATE_LIMITED');
    // a known client of another account is just another stranger here
    expect(codeOf(await rightPassword('127.0.0.23', neighbour.clientToken))).toBe('RATE_LIMITED');

    // from the stranger's own address even, the owner's known client with the right password goes through at once
    const owner = await rightPassword('127.0.0.21', fay.clientToken);
    expect(owner.errors).toBeUndefined();
    expect(owner.data.logIn).toMatchObject({ accessToken: expect.any(String), clientToken: fay.clientToken });
    // and its success does not wash the stranger's failures away
    expect(codeOf(await from('127.0.0.22', LOG_IN, { email: fay.email, password: 'stranger guess 9' }))).toBe('RATE_LIMITED');
  });

  it('slows down one address guessing at many accounts, and only that address', async () => {
    const guesses: Array<GraphQLResponse<any>> = [];
    for (let i = 0; i < 20; i++)
      guesses.push(await from('127.0.0.31', LOG_IN, { email: newEmail('spray'), password: 'password guess' }));
    expect(guesses.map(codeOf)).toEqual(Array(20).fill('UNAUTHENTICATED'));
    const target = newEmail('next');
    const throttled = await from('127.0.0.31', LOG_IN, { email: target, password: 'password guess' });
    expect(throttled.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect(codeOf(await from('127.0.0.32', LOG_IN, { email: target, password: 'password guess' }))).toBe('UNAUTHENTICATED');
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

describe('credentials the gateway does not know', () => {
  const inventedKey = (prefix: string) => `${prefix}_${randomUUID()}.${randomBytes(24).toString('base64url')}`;
  const withToken = (address: string, token: string) =>
    new Promise<{ status: number; code: unknown }>((resolve, reject) => {
      const url = new URL(platform.gateway.url);
      const payload = JSON.stringify({ query: '{ __typename }' });
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: url.port,
          path: url.pathname,
          method: 'POST',
          localAddress: address,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              code: JSON.parse(Buffer.concat(chunks).toString()).errors?.[0]?.extensions?.code,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  it('are paid for by the sender’s address before users is asked, so a flood of invented keys barely reaches users', async () => {
    const forged = (await signUp(platform, 'forged')).accessToken.slice(0, -4) + 'AAAA';
    const before = platform.gateway.callerLookups();
    const answers = [];
    const started = Date.now();
    // the anonymous bucket of an address holds 120 requests and refills 2 a second
    for (let i = 0; i < 300; i++) answers.push(await withToken('127.0.0.41', inventedKey(i % 2 ? 'egk' : 'egd')));
    const refilled = Math.ceil(((Date.now() - started) / 1000) * 2);
    const after = platform.gateway.callerLookups();
    const lookups = after.credentials - before.credentials;
    expect(answers.filter((a) => a.status === 401 && a.code === 'UNAUTHENTICATED').length).toBe(lookups);
    expect(answers.filter((a) => a.status === 429 && a.code === 'RATE_LIMITED').length).toBe(300 - lookups);
    expect(lookups).toBeGreaterThanOrEqual(120);
    // whatever the machine's speed: the bucket and its refill while the flood ran, never more
    expect(lookups).toBeLessThanOrEqual(120 + refilled + 1);
    expect(after.users).toBe(before.users);

    // forged access tokens cost the address too, without any lookup: only what refilled since the flood gets through
    const forgedAnswers = [];
    for (let i = 0; i < 10; i++) forgedAnswers.push(await withToken('127.0.0.41', forged));
    const refilledSince = Math.ceil(((Date.now() - started) / 1000) * 2) - refilled;
    const forgedThrough = forgedAnswers.filter((a) => a.status === 401 && a.code === 'UNAUTHENTICATED').length;
    expect(forgedAnswers.filter((a) => a.status === 429 && a.code === 'RATE_LIMITED').length).toBe(10 - forgedThrough);
    expect(forgedThrough).toBeLessThanOrEqual(refilledSince + 1);
    expect(platform.gateway.callerLookups().credentials).toBe(after.credentials);
    // other addresses are not affected
    expect(await withToken('127.0.0.42', forged)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await withToken('127.0.0.42', inventedKey('egk'))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('remembers an unknown key briefly, so sending it again does not ask users again', async () => {
    const key = inventedKey('egk');
    const before = platform.gateway.callerLookups().credentials;
    for (let i = 0; i < 5; i++) expect(await withToken('127.0.0.43', key)).toMatchObject({ status: 401 });
    expect(platform.gateway.callerLookups().credentials - before).toBe(1);
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
