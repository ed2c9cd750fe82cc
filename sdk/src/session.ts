import { createEventgraphClient, type EventgraphClientOptions } from './client';
import type { CredentialSource } from './credentials';
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

export interface UserSession extends CredentialSource {
  /** pass as `credential` to createEventgraphClient (the session itself works too) */
  credential: CredentialSource;
  tokens(): SessionTokens;
  /** how many times the session refreshed its tokens */
  refreshes(): number;
}

/**
 * Keeps a user signed in: hands out the access token, refreshes it shortly
 * before it expires, and once more when the API refuses it before then (a
 * clock off, a token cut short). A refresh token can be used only once (a
 * second use ends the session), so all callers share one refresh at a time.
 */
export function userSession(options: UserSessionOptions): UserSession {
  let current = options.tokens;
  let refreshing: Promise<void> | undefined;
  let refreshes = 0;
  const margin = options.refreshMarginMs ?? 30_000;
  // a plain client without a credential: refreshing needs none
  const client = createEventgraphClient({ url: options.url, fetch: options.fetch, timeoutMs: options.timeoutMs });

  const refresh = () =>
    (refreshing ??= client
      .request(RefreshSessionDocument, { refreshToken: current.refreshToken })
      .then(async ({ refreshSession }) => {
        current = refreshSession;
        refreshes++;
        await options.onTokens?.(current);
      })
      .finally(() => (refreshing = undefined)));

  const token = async () => {
    if (refreshing) await refreshing;
    const expiresAt = new Date(current.accessTokenExpiresAt as string).getTime();
    if (expiresAt - margin <= Date.now()) await refresh();
    return current.accessToken;
  };
  const refreshRejected = async (rejected: string) => {
    // a request that failed with an older token only needs the newer one
    if (rejected === current.accessToken) await refresh();
  };

  return {
    token,
    refresh: refreshRejected,
    credential: { token, refresh: refreshRejected },
    tokens: () => current,
    refreshes: () => refreshes,
  };
}
