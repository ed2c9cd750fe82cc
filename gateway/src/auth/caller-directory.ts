import { createHash } from 'node:crypto';
import {
  DomainError,
  OVERLOADED,
  PRINCIPAL_HEADER,
  signPrincipal,
  type BusTransport,
  type DelegatedScope,
  type Membership,
  type Principal,
  type WhiteLabel,
} from '@eventgraph/runtime';
import { ErrorCode } from '../subscriptions/errors';
import { LookupCache } from './lookup-cache';

/** The gateway's own identity when it asks the users subgraph about a caller. */
export const GATEWAY_PRINCIPAL: Principal = { kind: 'service', id: 'gateway', memberships: [], scopes: [] };

export interface UserCaller {
  id: string;
  memberships: Membership[];
  credentialsChangedAt: Date | null;
  /** sessions (refresh-token families) ended recently enough that their access tokens may still be alive */
  revokedSessionIds: string[];
}

/** An API key or a scanner device, as the users subgraph describes it. */
export interface CredentialCaller {
  kind: 'apiKey' | 'device';
  id: string;
  memberships: Membership[];
  scopes: string[];
  rateLimitPerMinute: number | null;
  partnerAppId: string | null;
  trustedDocumentsOnly: boolean;
  expiresAt: Date | null;
  gateIds: string[];
  whiteLabel: WhiteLabel | null;
  /** partner keys: the partner site's origins */
  allowedOrigins: string[];
}

/** How long a caller lookup may take by default (the users subgraph answers in milliseconds when it is well). */
const LOOKUP_TIMEOUT_MS = 10_000;
/** How long a looked-up caller is trusted without asking again; bus events evict sooner. */
const TTL_MS = 30_000;
/** How long "no such caller" is remembered: long enough that repeating an invented key costs users nothing. */
const NEGATIVE_TTL_MS = 5_000;
const cacheOptions = { ttlMs: TTL_MS, negativeTtlMs: NEGATIVE_TTL_MS, maxEntries: 50_000, maxNegativeEntries: 10_000 };

/**
 * Looks callers up in the users subgraph and remembers them briefly. Events on
 * the bus (a membership changed, credentials changed) evict the entry at once,
 * on every gateway that receives them.
 */
export class CallerDirectory {
  readonly users = new LookupCache<UserCaller>(cacheOptions);
  /** by sha256 of the presented credential, so secrets are not kept in memory as keys */
  readonly credentials = new LookupCache<CredentialCaller>(cacheOptions);
  private readonly trusted = new LookupCache<Set<string>>({ ...cacheOptions, maxEntries: 10_000, maxNegativeEntries: 1 });
  /** registered operations' text by `<partnerAppId>:<sha256>`, for requests that send the hash alone */
  private readonly documents = new LookupCache<string>({ ...cacheOptions, maxEntries: 10_000, maxNegativeEntries: 10_000 });
  /** one entry: every origin some partner app lists (CORS preflights come before any credential) */
  private readonly origins = new LookupCache<ReadonlySet<string>>({ ...cacheOptions, maxEntries: 1, maxNegativeEntries: 1 });
  /** scopes a user granted a partner app, by `<partnerAppId>:<userId>` (a missing grant is remembered briefly too) */
  readonly grants = new LookupCache<DelegatedScope[]>(cacheOptions);
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly usersUrl: string,
    private readonly principalSecret: string,
    bus?: BusTransport,
    /** a lookup the users subgraph does not answer in this time fails (SUBGRAPH_UNAVAILABLE): requests never hang on it */
    private readonly lookupTimeoutMs = LOOKUP_TIMEOUT_MS,
  ) {
    if (bus) {
      for (const topic of ['membership.changed', 'user.credentials_changed', 'session.revoked']) {
        this.unsubscribe.push(bus.subscribe(topic, (event) => void this.users.delete(event.payload.userId as string)));
      }
      // a grant given, changed or revoked (also by an erased account): the next request of the app asks again
      this.unsubscribe.push(
        bus.subscribe('partner_grant.changed', (event) =>
          this.grants.delete(grantKey(event.payload.partnerAppId as string, event.payload.userId as string)),
        ),
      );
      // a revoked or rotated key, a rolled device, a changed partner app: forget them at once (rare enough to forget all)
      for (const topic of ['apikey.changed', 'device.changed', 'partner_app.changed']) {
        this.unsubscribe.push(
          bus.subscribe(topic, (event) => {
            this.credentials.clear();
            this.origins.clear();
            if (event.payload.partnerAppId) this.trusted.delete(event.payload.partnerAppId as string);
            // a document's text never changes under its hash, but "not registered" may have become wrong
            this.documents.clear();
          }),
        );
      }
    }
  }

  user(userId: string): Promise<UserCaller | null> {
    return this.users.get(userId, async () => {
      const data = await this.query<{
        _userCaller: (Omit<UserCaller, 'credentialsChangedAt'> & { credentialsChangedAt: string | null }) | null;
      }>(
        'query($userId: ID!) { _userCaller(userId: $userId) { id memberships { organizationId role } credentialsChangedAt revokedSessionIds } }',
        {
          userId,
        },
      );
      const found = data._userCaller;
      return (
        found && { ...found, credentialsChangedAt: found.credentialsChangedAt ? new Date(found.credentialsChangedAt) : null }
      );
    });
  }

  /**
   * The API key or device behind a credential. `beforeLookup` runs before the
   * users subgraph is asked (nothing cached): the gateway charges the caller's
   * address there, so invented keys cost the sender, not users.
   */
  async credential(token: string, beforeLookup?: () => Promise<void>): Promise<CredentialCaller | null> {
    const hash = createHash('sha256').update(token).digest('hex');
    const caller = await this.credentials.get(
      hash,
      async () => {
        const data = await this.query<{
          _credentialCaller: (Omit<CredentialCaller, 'expiresAt'> & { expiresAt: string | null }) | null;
        }>(
          `query($credential: String!) { _credentialCaller(credential: $credential) {
          kind id memberships { organizationId role } scopes rateLimitPerMinute partnerAppId trustedDocumentsOnly expiresAt gateIds
          whiteLabel { organizationIds categories visibilities } allowedOrigins } }`,
          { credential: token },
        );
        const found = data._credentialCaller;
        return found && { ...found, expiresAt: found.expiresAt ? new Date(found.expiresAt) : null };
      },
      beforeLookup,
    );
    return usable(caller);
  }

  /** The scopes `userId` granted `partnerAppId`; null when they granted it nothing (or revoked it). */
  grant(partnerAppId: string, userId: string): Promise<DelegatedScope[] | null> {
    return this.grants.get(grantKey(partnerAppId, userId), async () => {
      const data = await this.query<{ _partnerGrant: DelegatedScope[] | null }>(
        'query($app: ID!, $user: ID!) { _partnerGrant(partnerAppId: $app, userId: $user) }',
        { app: partnerAppId, user: userId },
      );
      return data._partnerGrant;
    });
  }

  /** Drops a cached grant, so the next question goes to users (a live connection is re-checked). */
  forgetGrant(partnerAppId: string, userId: string): void {
    this.grants.delete(grantKey(partnerAppId, userId));
  }

  /** The sha256 hashes of the operations a partner app registered. */
  async trustedDocuments(partnerAppId: string): Promise<Set<string>> {
    const documents = await this.trusted.get(partnerAppId, async () => {
      const data = await this.query<{ _trustedDocuments: string[] }>('query($id: ID!) { _trustedDocuments(partnerAppId: $id) }', {
        id: partnerAppId,
      });
      return new Set(data._trustedDocuments);
    });
    return documents ?? new Set();
  }

  /** The text of an operation the partner app registered, by its sha256; null when it registered none such. */
  trustedDocument(partnerAppId: string, sha256: string): Promise<string | null> {
    return this.documents.get(`${partnerAppId}:${sha256}`, async () => {
      const data = await this.query<{ _trustedDocument: string | null }>(
        'query($id: ID!, $sha256: String!) { _trustedDocument(partnerAppId: $id, sha256: $sha256) }',
        { id: partnerAppId, sha256 },
      );
      return data._trustedDocument;
    });
  }

  /** Every origin some partner app's white-label configuration lists. */
  async partnerOrigins(): Promise<ReadonlySet<string>> {
    const origins = await this.origins.get('all', async () => {
      const data = await this.query<{ _partnerOrigins: string[] }>('{ _partnerOrigins }', {});
      return new Set(data._partnerOrigins);
    });
    return origins ?? new Set();
  }

  /** Drops what is cached about a user, so the next question goes to users (a live connection is re-checked). */
  forgetUser(userId: string): void {
    this.users.delete(userId);
  }

  /** Drops what is cached about an API key or device credential. */
  forgetCredential(token: string): void {
    this.credentials.delete(createHash('sha256').update(token).digest('hex'));
  }

  close(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
  }

  private async query<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    let response: Response;
    let body: { data?: T; errors?: { message: string; extensions?: { code?: unknown; retryAfterSeconds?: unknown } }[] };
    try {
      response = await fetch(this.usersUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [PRINCIPAL_HEADER]: signPrincipal(GATEWAY_PRINCIPAL, this.principalSecret),
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.lookupTimeoutMs),
      });
      body = (await response.json()) as typeof body;
    } catch {
      throw new DomainError(
        ErrorCode.SubgraphUnavailable,
        'callers cannot be checked right now (the users subgraph does not answer); retry in a few seconds',
      );
    }
    // users shed the lookup: the caller's request is refused the same way, with users' wait
    const shed = body.errors?.find((e) => e.extensions?.code === OVERLOADED);
    if (shed) {
      const retryAfterSeconds = Number(shed.extensions?.retryAfterSeconds) || 1;
      const message = `callers cannot be checked right now (the users subgraph is overloaded); retry in ${retryAfterSeconds} s`;
      throw new DomainError(OVERLOADED, message, { retryAfterSeconds });
    }
    if (!response.ok || body.errors?.length || !body.data) {
      throw new Error(`caller lookup failed: ${response.status} ${body.errors?.map((e) => e.message).join('; ') ?? ''}`);
    }
    return body.data;
  }
}

const grantKey = (partnerAppId: string, userId: string) => `${partnerAppId}:${userId}`;

/** A rotated key stops at the end of its overlap window, cached or not. */
const usable = (caller: CredentialCaller | null) =>
  caller && (!caller.expiresAt || caller.expiresAt > new Date()) ? caller : null;
