/**
 * Who the client acts as. Every credential goes to the API as
 * `Authorization: Bearer <token>` (and as `{ authorization }` in graphql-ws's
 * connection_init): a user's access token, a partner app's API key (`egk_…`),
 * a scanner device's credential (`egd_…`), or nothing (anonymous).
 *
 * - a string: that token, always
 * - a function: asked before every HTTP request and every (re)connection of the
 *   socket, so it can hand out a refreshed token; null/undefined = anonymous
 * - a CredentialSource: the same, plus `refresh`, which the client calls once
 *   when the API says the token it just sent has stopped being valid
 */
export type Credential = string | CredentialProvider | CredentialSource;
export type CredentialProvider = () => MaybePromise<string | null | undefined>;
type MaybePromise<T> = T | Promise<T>;

export interface CredentialSource {
  token(): MaybePromise<string | null | undefined>;
  /**
   * Called when a request made with `rejected` was answered UNAUTHENTICATED; the
   * request is then sent once more with the next `token()`. Concurrent failures
   * pass the same rejected token: refresh once for all of them (see userSession).
   * Throw to give up (the request fails with the original error).
   */
  refresh?(rejected: string): Promise<void>;
}

const API_KEY = /^egk_[\w.-]+$/; // egk_<id>.<secret>
const DEVICE_CREDENTIAL = /^egd_[\w.-]+$/;

/** A partner app's API key (`egk_…`, shown once when the key is created): the client acts as that app. */
export function apiKeyCredential(key: string): CredentialSource {
  const token = key.trim();
  if (!API_KEY.test(token)) throw new TypeError('an Eventgraph API key starts with "egk_" (see createApiKey)');
  return { token: () => token };
}

/** A scanner device's credential (`egd_…`, from provisionDevice or rollDeviceCredential): the client acts as that device. */
export function deviceCredential(credential: string): CredentialSource {
  const token = credential.trim();
  if (!DEVICE_CREDENTIAL.test(token))
    throw new TypeError('an Eventgraph device credential starts with "egd_" (see provisionDevice)');
  return { token: () => token };
}

/** The source behind any Credential. */
export function credentialSource(credential: Credential | undefined): CredentialSource {
  if (credential === undefined) return { token: () => undefined };
  if (typeof credential === 'string') return { token: () => credential };
  if (typeof credential === 'function') return { token: credential };
  return credential;
}

/** The Authorization header value of a token: bare tokens get the Bearer scheme; one that names its scheme is kept. */
export const authorizationOf = (token: string): string => (/^[A-Za-z][\w-]*\s+\S/.test(token) ? token : `Bearer ${token}`);
