import WebSocket from 'ws';
import { issueAccessToken } from '@eventgraph/runtime';
import { verificationToken } from '../../platform/test/support/accounts';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';
import { within } from './support';
import {
  CreateOrganizationDocument,
  createEventgraphClient,
  EventChangedDocument,
  EventgraphError,
  LogOutEverywhereDocument,
  type ConnectionEvent,
  isEventgraphError,
  LogInDocument,
  MeDocument,
  RefreshSessionDocument,
  SignUpDocument,
  userSession,
  VerifyEmailDocument,
  type SessionTokens,
} from '../src';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform?.stop());

async function signUpAndLogIn(): Promise<{ tokens: SessionTokens; email: string }> {
  const anonymous = createEventgraphClient({ url: platform.gateway.url });
  const email = `sdk-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const password = 'a long and lovely passphrase';
  const { signUp } = await anonymous.request(SignUpDocument, { input: { email, password, displayName: 'SDK user' } });
  expect(signUp).toMatchObject({ accepted: true, email });
  const { verifyEmail } = await anonymous.request(VerifyEmailDocument, { token: verificationToken(email) });
  expect(verifyEmail.user.displayName).toBe('SDK user');
  const { logIn } = await anonymous.request(LogInDocument, { email, password, clientToken: verifyEmail.clientToken });
  expect(logIn.clientToken).toBe(verifyEmail.clientToken);
  anonymous.close();
  return { tokens: logIn, email };
}

it('keeps a user signed in, refreshing the access token once for concurrent requests and handing out the rotated tokens', async () => {
  const { tokens, email } = await signUpAndLogIn();
  const stored: SessionTokens[] = [];
  // pretend the access token is about to expire, so the first request refreshes it
  const session = userSession({
    url: platform.gateway.url,
    tokens: { ...tokens, accessTokenExpiresAt: new Date().toISOString() },
    onTokens: (t) => void stored.push(t),
  });
  const client = createEventgraphClient({ url: platform.gateway.url, credential: session.credential });
  const results = await Promise.all([client.request(MeDocument), client.request(MeDocument), client.request(MeDocument)]);
  for (const { me } of results) expect(me).toMatchObject({ displayName: 'SDK user', email });
  expect(stored).toHaveLength(1);
  expect(session.tokens().refreshToken).toBe(stored[0]!.refreshToken);
  expect(stored[0]!.refreshToken).not.toBe(tokens.refreshToken);

  // the refresh token it replaced is spent: using it again is refused (and ends that family)
  const anonymous = createEventgraphClient({ url: platform.gateway.url });
  const reuse = await anonymous
    .request(RefreshSessionDocument, { refreshToken: tokens.refreshToken })
    .catch((err: unknown) => err);
  expect(isEventgraphError(reuse, 'UNAUTHENTICATED')).toBe(true);
  anonymous.close();
  client.close();
});

it('refreshes once when the API refuses an access token mid-flight, and retries each refused request once', async () => {
  const { tokens, email } = await signUpAndLogIn();
  // a token the session believes fresh but the gateway finds expired (signed with the platform's key, expired a minute ago)
  const userId = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1]!, 'base64url').toString()).sub as string;
  const expired = await issueAccessToken(userId, platform.settings.EVENTGRAPH_JWT_SECRET!, 60, new Date(Date.now() - 120_000));
  const stored: SessionTokens[] = [];
  const session = userSession({
    url: platform.gateway.url,
    tokens: { ...tokens, accessToken: expired.token, accessTokenExpiresAt: new Date(Date.now() + 600_000).toISOString() },
    onTokens: (t) => void stored.push(t),
  });
  const client = createEventgraphClient({ url: platform.gateway.url, credential: session });
  const results = await Promise.all([1, 2, 3, 4].map(() => client.request(MeDocument)));
  for (const result of results) expect(result.me?.email).toBe(email);
  expect(session.refreshes()).toBe(1);
  expect(stored).toHaveLength(1);
  expect(session.tokens().accessToken).not.toBe(expired.token);
  await client.close();
});

it('does not retry forever: a refresh that fails leaves the original UNAUTHENTICATED', async () => {
  const { tokens } = await signUpAndLogIn();
  const session = userSession({
    url: platform.gateway.url,
    // neither token is any good, and the session does not know it yet
    tokens: {
      ...tokens,
      accessToken: 'not.a.token',
      refreshToken: 'spent',
      accessTokenExpiresAt: new Date(Date.now() + 600_000).toISOString(),
    },
  });
  const client = createEventgraphClient({ url: platform.gateway.url, credential: session });
  const err = await client.request(MeDocument).catch((e: unknown) => e);
  expect(isEventgraphError(err, 'UNAUTHENTICATED')).toBe(true);
  expect((err as EventgraphError).reason).toBe('INVALID_TOKEN');
  expect(session.refreshes()).toBe(0);
  await client.close();
});

it('ends a running subscription with UNAUTHENTICATED and the reason, and reports the 4401 close, when the session is signed out everywhere', async () => {
  const { tokens } = await signUpAndLogIn();
  const session = userSession({ url: platform.gateway.url, tokens });
  const client = createEventgraphClient({
    url: platform.gateway.url,
    credential: session,
    webSocketImpl: WebSocket,
    ws: { lazyCloseTimeout: 5000 }, // keep the socket after the subscription ends, to see how the server closes it
  });
  const tag = Math.random().toString(36).slice(2, 8);
  const { createOrganization: org } = await client.request(CreateOrganizationDocument, {
    input: { name: `SDK org ${tag}`, slug: `sdk-org-${tag}` },
  });
  const connected = new Promise<void>((resolve) => client.onConnection((e) => e.type === 'connected' && resolve()));
  const closed = new Promise<ConnectionEvent>((resolve) => client.onConnection((e) => e.type === 'closed' && resolve(e)));
  const changes = client.subscribe(EventChangedDocument, { organizationId: org.id });
  const ended = changes.next().catch((e: unknown) => e);
  await within(5000, 'connected', connected);
  await client.request(LogOutEverywhereDocument);

  // the subscription's last word is the refusal, with its reason
  const err = (await within(5000, 'the subscription ending', ended)) as EventgraphError;
  expect(err).toBeInstanceOf(EventgraphError);
  expect(err.code).toBe('UNAUTHENTICATED');
  expect(err.reason).toBe('SESSION_REVOKED');
  await expect(changes.next()).resolves.toEqual({ value: undefined, done: true });
  // then the socket closes with 4401, typed the same way
  const close = await within(5000, 'the socket closing', closed);
  expect(close).toMatchObject({ type: 'closed', closeCode: 4401 });
  expect(close.type === 'closed' && close.error).toMatchObject({ code: 'UNAUTHENTICATED', closeCode: 4401 });
  await client.close();
});
