import { verificationToken } from '../../platform/test/support/accounts';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';
import {
  createEventgraphClient,
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
