import { PRINCIPAL_HEADER, signPrincipal, type BusTransport, type Membership, type Principal } from '@eventgraph/runtime';

/** The gateway's own identity when it asks the users subgraph about a caller. */
export const GATEWAY_PRINCIPAL: Principal = { kind: 'service', id: 'gateway', memberships: [], scopes: [] };

export interface UserCaller {
  id: string;
  memberships: Membership[];
  credentialsChangedAt: Date | null;
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
  private readonly users = new Map<string, { caller: UserCaller | null; until: number }>();
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
    }
  }

  async user(userId: string): Promise<UserCaller | null> {
    const cached = this.users.get(userId);
    if (cached && cached.until > Date.now()) return cached.caller;
    const data = await this.query<{ _userCaller: (Omit<UserCaller, 'credentialsChangedAt'> & { credentialsChangedAt: string | null }) | null }>(
      'query($userId: ID!) { _userCaller(userId: $userId) { id memberships { organizationId role } credentialsChangedAt } }',
      { userId },
    );
    const found = data._userCaller;
    const caller = found && { ...found, credentialsChangedAt: found.credentialsChangedAt ? new Date(found.credentialsChangedAt) : null };
    if (this.users.size >= MAX_ENTRIES) this.users.clear();
    this.users.set(userId, { caller, until: Date.now() + TTL_MS });
    return caller;
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
