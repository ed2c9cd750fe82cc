import { createHash } from 'node:crypto';
import {
  PRINCIPAL_HEADER,
  signPrincipal,
  type BusTransport,
  type Membership,
  type Principal,
  type WhiteLabel,
} from '@eventgraph/runtime';

/** The gateway's own identity when it asks the users subgraph about a caller. */
export const GATEWAY_PRINCIPAL: Principal = { kind: 'service', id: 'gateway', memberships: [], scopes: [] };

export interface UserCaller {
  id: string;
  memberships: Membership[];
  credentialsChangedAt: Date | null;
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
}

interface Cached<T> {
  value: T;
  until: number;
}

/** How long a looked-up caller is trusted without asking again; bus events evict sooner. */
const TTL_MS = 30_000;
const MAX_ENTRIES = 50_000;

/**
 * Looks callers up in the users subgraph and remembers them briefly. Events on
 * the bus (a membership changed, credentials changed) evict the entry at once,
 * on every gateway that receives them.
 */
export class CallerDirectory {
  private readonly users = new Map<string, Cached<Promise<UserCaller | null>>>();
  /** by sha256 of the presented credential, so secrets are not kept in memory as keys */
  private readonly credentials = new Map<string, Cached<Promise<CredentialCaller | null>>>();
  private readonly trusted = new Map<string, Cached<Promise<Set<string>>>>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly usersUrl: string,
    private readonly principalSecret: string,
    bus?: BusTransport,
  ) {
    if (bus) {
      for (const topic of ['membership.changed', 'user.credentials_changed']) {
        this.unsubscribe.push(bus.subscribe(topic, (event) => void this.users.delete(event.payload.userId as string)));
      }
      // a revoked or rotated key, a rolled device, a changed partner app: forget them at once (rare enough to forget all)
      for (const topic of ['apikey.changed', 'device.changed', 'partner_app.changed']) {
        this.unsubscribe.push(
          bus.subscribe(topic, (event) => {
            this.credentials.clear();
            if (event.payload.partnerAppId) this.trusted.delete(event.payload.partnerAppId as string);
          }),
        );
      }
    }
  }

  user(userId: string): Promise<UserCaller | null> {
    return remember(this.users, userId, async () => {
      const data = await this.query<{
        _userCaller: (Omit<UserCaller, 'credentialsChangedAt'> & { credentialsChangedAt: string | null }) | null;
      }>('query($userId: ID!) { _userCaller(userId: $userId) { id memberships { organizationId role } credentialsChangedAt } }', {
        userId,
      });
      const found = data._userCaller;
      return (
        found && { ...found, credentialsChangedAt: found.credentialsChangedAt ? new Date(found.credentialsChangedAt) : null }
      );
    });
  }

  async credential(token: string): Promise<CredentialCaller | null> {
    const hash = createHash('sha256').update(token).digest('hex');
    const caller = await remember(this.credentials, hash, async () => {
      const data = await this.query<{
        _credentialCaller: (Omit<CredentialCaller, 'expiresAt'> & { expiresAt: string | null }) | null;
      }>(
        `query($credential: String!) { _credentialCaller(credential: $credential) {
          kind id memberships { organizationId role } scopes rateLimitPerMinute partnerAppId trustedDocumentsOnly expiresAt gateIds
          whiteLabel { organizationIds categories visibilities } } }`,
        { credential: token },
      );
      const found = data._credentialCaller;
      return found && { ...found, expiresAt: found.expiresAt ? new Date(found.expiresAt) : null };
    });
    return usable(caller);
  }

  /** The sha256 hashes of the operations a partner app registered. */
  trustedDocuments(partnerAppId: string): Promise<Set<string>> {
    return remember(this.trusted, partnerAppId, async () => {
      const data = await this.query<{ _trustedDocuments: string[] }>('query($id: ID!) { _trustedDocuments(partnerAppId: $id) }', {
        id: partnerAppId,
      });
      return new Set(data._trustedDocuments);
    });
  }

  close(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
  }

  private async query<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await fetch(this.usersUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [PRINCIPAL_HEADER]: signPrincipal(GATEWAY_PRINCIPAL, this.principalSecret) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (!response.ok || body.errors?.length || !body.data) {
      throw new Error(`caller lookup failed: ${response.status} ${body.errors?.map((e) => e.message).join('; ') ?? ''}`);
    }
    return body.data;
  }
}

/**
 * A lookup shared by every request that needs it while it runs, then kept for
 * TTL_MS; a failed lookup is not kept.
 */
function remember<T>(cache: Map<string, Cached<Promise<T>>>, key: string, load: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit && hit.until > Date.now()) return hit.value;
  const value = load();
  if (cache.size >= MAX_ENTRIES) cache.clear();
  const entry = { value, until: Date.now() + TTL_MS };
  cache.set(key, entry);
  value.catch(() => cache.get(key) === entry && cache.delete(key));
  return value;
}

/** A rotated key stops at the end of its overlap window, cached or not. */
const usable = (caller: CredentialCaller | null) =>
  caller && (!caller.expiresAt || caller.expiresAt > new Date()) ? caller : null;
