import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { badInput, ConfigError, requireText, type Logger } from '@eventgraph/runtime';
import { FeedError } from './domain/records';

/**
 * Secrets a source needs, sealed at rest: feed credentials (an API key, basic auth, a bearer token) and the
 * HMAC secret of a push source. AES-256-GCM with a key from INGEST_CREDENTIALS_KEY, so a database dump alone
 * does not hand out partners' credentials, and a changed byte is detected rather than decrypted to garbage.
 * The API never returns them: it says only whether a source has credentials, and of which kind.
 */

export type FeedCredentials =
  | { kind: 'API_KEY'; header: string; value: string }
  | { kind: 'BASIC'; username: string; password: string }
  | { kind: 'BEARER'; token: string };

/**
 * A push source's HMAC secret. While it is rotated, the previous one is accepted too until `previous.until`
 * (ISO instant), so a partner can switch without losing deliveries.
 */
export interface PushSecret {
  kind: 'WEBHOOK_SECRET';
  secret: string;
  previous?: { secret: string; until: string };
}

/** What a Source's `credentials` column holds, sealed; `credentialKind` is its `kind`. */
export type SourceCredentials = FeedCredentials | PushSecret;

export type CredentialKind = SourceCredentials['kind'];

/** Seals and opens secrets with one key. */
export interface SecretBox {
  /**
   * `context` (e.g. the source's id) is bound into the seal as associated data: a sealed value copied to
   * another source does not open there.
   */
  seal(plaintext: string, context?: string): string;
  /** the plaintext; MISSING_CREDENTIALS when the value was changed, sealed for another context or with another key */
  open(sealed: string, context?: string): string;
}

const VERSION = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
// development only: a known key keeps local data readable across restarts; production refuses to start with it
const DEVELOPMENT_KEY = createHash('sha256').update('eventgraph-development-ingest-credentials-key').digest();

/** The key from `INGEST_CREDENTIALS_KEY`: 32 bytes, as 64 hex digits or base64. */
function decodeKey(raw: string): Buffer | null {
  const text = raw.trim();
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return null;
  const key = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  return key.length === KEY_BYTES ? key : null;
}

/**
 * Reads the key once at start. In production a missing or malformed key stops the start (ConfigError); elsewhere
 * a missing key falls back to a fixed development key with a warning, but a malformed one is still an error.
 */
export function loadCredentialsKey(env: Record<string, string | undefined> = process.env, log?: Logger): Buffer {
  const raw = env.INGEST_CREDENTIALS_KEY;
  if (raw) {
    const key = decodeKey(raw);
    if (!key) throw new ConfigError(['INGEST_CREDENTIALS_KEY: must be 32 bytes, as 64 hex digits or base64']);
    return key;
  }
  if (env.NODE_ENV === 'production')
    throw new ConfigError(['INGEST_CREDENTIALS_KEY: required in production (32 bytes, as 64 hex digits or base64)']);
  log?.warn('INGEST_CREDENTIALS_KEY is not set: source credentials are sealed with the development key');
  return DEVELOPMENT_KEY;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`a credentials key has ${KEY_BYTES} bytes`);
  const unreadable = () =>
    new FeedError('MISSING_CREDENTIALS', 'the stored credentials cannot be read: they were changed or sealed with another key');
  return {
    seal(plaintext, context = '') {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return VERSION + Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
    },
    open(sealed, context = '') {
      if (!sealed.startsWith(VERSION)) throw unreadable();
      const bytes = Buffer.from(sealed.slice(VERSION.length), 'base64');
      if (bytes.length < IV_BYTES + TAG_BYTES) throw unreadable();
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw unreadable();
      }
    },
  };
}

// an HTTP header name (RFC 9110 token) that does not take over what the fetcher itself sends
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'cookie', 'user-agent']);
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Credentials as a client gave them, checked field by field (BAD_USER_INPUT naming the field). */
export function parseCredentials(input: {
  kind: string;
  header?: string | null;
  value?: string | null;
  username?: string | null;
  password?: string | null;
  token?: string | null;
  secret?: string | null;
}): SourceCredentials {
  const secret = (field: string, value: string | null | undefined) => {
    const text = requireText(`credentials.${field}`, value ?? '', 4096);
    if (!HEADER_VALUE.test(text)) throw badInput(`credentials.${field}`, 'must not contain line breaks or control characters');
    return text;
  };
  switch (input.kind) {
    case 'API_KEY': {
      const header = (input.header ?? '').trim();
      if (!HEADER_NAME.test(header)) throw badInput('credentials.header', 'must be an HTTP header name');
      if (RESERVED_HEADERS.has(header.toLowerCase())) throw badInput('credentials.header', `${header} cannot carry a key`);
      return { kind: 'API_KEY', header, value: secret('value', input.value) };
    }
    case 'BASIC': {
      const username = secret('username', input.username);
      if (username.includes(':')) throw badInput('credentials.username', 'must not contain ":"');
      return { kind: 'BASIC', username, password: secret('password', input.password) };
    }
    case 'BEARER':
      return { kind: 'BEARER', token: secret('token', input.token) };
    case 'WEBHOOK_SECRET': {
      // a guessable secret would let anyone push events in a partner's name
      const pushSecret = secret('secret', input.secret);
      if (pushSecret.length < 24)
        throw badInput('credentials.secret', 'must be at least 24 characters (or leave it out to get one)');
      return { kind: 'WEBHOOK_SECRET', secret: pushSecret };
    }
    default:
      throw badInput('credentials.kind', 'must be API_KEY, BASIC, BEARER or WEBHOOK_SECRET');
  }
}

/** The key and its box, once at start (see loadCredentialsKey for what stops the start). */
export const loadSecretBox = (env: Record<string, string | undefined> = process.env, log?: Logger): SecretBox =>
  createSecretBox(loadCredentialsKey(env, log));

/** Seals a source's credentials for its `credentials` column, bound to the source so they cannot be copied to another. */
export const sealCredentials = (box: SecretBox, credentials: SourceCredentials, sourceId: string): string =>
  box.seal(JSON.stringify(credentials), `source:${sourceId}`);

const KINDS = new Set<string>(['API_KEY', 'BASIC', 'BEARER', 'WEBHOOK_SECRET']);

/** The source's credentials; MISSING_CREDENTIALS when they cannot be read back. */
export function openCredentials(box: SecretBox, sealed: string, sourceId: string): SourceCredentials {
  let opened: SourceCredentials;
  try {
    opened = JSON.parse(box.open(sealed, `source:${sourceId}`)) as SourceCredentials;
  } catch (err) {
    if (err instanceof FeedError) throw err;
    throw new FeedError('MISSING_CREDENTIALS', 'the stored credentials are not readable');
  }
  if (!KINDS.has(opened?.kind)) throw new FeedError('MISSING_CREDENTIALS', 'the stored credentials are of an unknown kind');
  return opened;
}

/** What a fetch sends (null for a push secret, which is never sent anywhere). */
export const feedCredentialsOf = (credentials: SourceCredentials | null): FeedCredentials | null =>
  credentials && credentials.kind !== 'WEBHOOK_SECRET' ? credentials : null;

/** The secrets a push may be signed with at `now`: the current one, and the previous one until its overlap ends. */
export function pushSecretsOf(credentials: SourceCredentials | null, now: Date): string[] {
  if (credentials?.kind !== 'WEBHOOK_SECRET') return [];
  const { secret, previous } = credentials;
  return previous && Date.parse(previous.until) > now.getTime() ? [secret, previous.secret] : [secret];
}

/** Puts a new push secret in place, keeping the old one valid for `overlapMs` (a rotation). */
export const rotatePushSecret = (current: PushSecret | null, secret: string, now: Date, overlapMs: number): PushSecret =>
  current && overlapMs > 0
    ? {
        kind: 'WEBHOOK_SECRET',
        secret,
        previous: { secret: current.secret, until: new Date(now.getTime() + overlapMs).toISOString() },
      }
    : { kind: 'WEBHOOK_SECRET', secret };

/** A new push secret to show the partner once: 32 random bytes, prefixed so it is recognisable in their config. */
export const newPushSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;
