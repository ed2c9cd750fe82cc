/** How the gateway protects itself from a slow or failing subgraph. */
export interface GuardSettings {
  /** a subgraph request not answered in this time fails with SUBGRAPH_TIMEOUT */
  timeoutMs: number;
  /** this many failures in a row (no answer, a timeout, an HTTP error without GraphQL) open the circuit */
  failuresToOpen: number;
  /** while open, requests fail at once with SUBGRAPH_UNAVAILABLE; after this one request probes again */
  openMs: number;
}

export const DEFAULT_GUARD_SETTINGS: GuardSettings = { timeoutMs: 10_000, failuresToOpen: 5, openMs: 5_000 };

/** Settings from EVENTGRAPH_SUBGRAPH_TIMEOUT_MS, EVENTGRAPH_CIRCUIT_FAILURES and EVENTGRAPH_CIRCUIT_OPEN_MS. */
export function guardSettingsFromEnv(env: Record<string, string | undefined> = process.env): GuardSettings {
  const read = (name: string, fallback: number, min: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min}, got "${text}"`);
    return value;
  };
  return {
    timeoutMs: read('EVENTGRAPH_SUBGRAPH_TIMEOUT_MS', DEFAULT_GUARD_SETTINGS.timeoutMs, 1),
    failuresToOpen: read('EVENTGRAPH_CIRCUIT_FAILURES', DEFAULT_GUARD_SETTINGS.failuresToOpen, 1),
    openMs: read('EVENTGRAPH_CIRCUIT_OPEN_MS', DEFAULT_GUARD_SETTINGS.openMs, 1),
  };
}

/**
 * A circuit breaker for one subgraph: closed while it answers; open after `failuresToOpen` failures
 * in a row, so requests fail at once instead of each waiting for a timeout; after `openMs`, one
 * request is let through (half open) and its outcome closes or reopens the circuit.
 */
export class SubgraphGuard {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(
    readonly settings: GuardSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a request may go out now (false: fail it at once). */
  admit(): boolean {
    if (this.openedAt === undefined) return true;
    if (this.probing || this.now() - this.openedAt < this.settings.openMs) return false;
    this.probing = true;
    return true;
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  failed(): void {
    this.failures++;
    if (this.probing || this.failures >= this.settings.failuresToOpen) this.openedAt = this.now();
    this.probing = false;
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    return this.probing ? 'half-open' : 'open';
  }
}
