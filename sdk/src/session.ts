import { createEventgraphClient, type CredentialProvider, type EventgraphClientOptions } from './client';
import { RefreshSessionDocument, type SessionTokensFragment } from './generated/graphql';

export type SessionTokens = Pick<
  SessionTokensFragment,
  'accessToken' | 'accessTokenExpiresAt' | 'refreshToken' | 'refreshTokenExpiresAt'
>;

export interface UserSessionOptions extends Pick<EventgraphClientOptions, 'url' | 'fetch' | 'timeoutMs'> {
  /** the tokens from signUp, logIn or a stored session */
  tokens: SessionTokens;
  /** called with every new pair: refresh tokens rotate, so persist the latest one (keychain, secure storage) */
  onTokens?(tokens: SessionTokens): void | Promise<void>;
  /** refresh this long before the access token expires; default 30 s */
  refreshMarginMs?: number;
}

export interface UserSession {
  /** pass as `credential` to createEventgraphClient: always a valid access token, refreshed as needed */
  credential: CredentialProvider;
  tokens(): SessionTokens;
}

/**
 * Keeps a user signed in: hands out the access token, and refreshes it shortly
 * before it expires. Concurrent callers share one refresh, since a refresh
 * token can be used only once (a second use would end the session).
 */
export function userSession(options: UserSessionOptions): UserSession {
  let current = options.tokens;
  let refreshing: Promise<SessionTokens> | undefined;
  const margin = options.refreshMarginMs ?? 30_000;
  // a plain client without a credential: refreshing needs none
  const client = createEventgraphClient({ url: options.url, fetch: options.fetch, timeoutMs: options.timeoutMs });

  const refresh = () =>
    (refreshing ??= client
      .request(RefreshSessionDocument, { refreshToken: current.refreshToken })
      .then(async ({ refreshSession }) => {
        current = refreshSession;
        await options.onTokens?.(current);
        return current;
      })
      .finally(() => (refreshing = undefined)));

  return {
    tokens: () => current,
    async credential() {
      const expiresAt = new Date(current.accessTokenExpiresAt as string).getTime();
      if (expiresAt - margin <= Date.now()) await refresh();
      return current.accessToken;
    },
  };
}
