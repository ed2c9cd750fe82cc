import type { ExecutionResult, GraphQLError } from 'graphql';
import type { UpstreamAuth } from './engine';
import { ErrorCode, codedError } from './errors';
import type { EngineLogger } from './logger';
import type { SubscriptionStream } from './result-channel';
import { RevocableStream } from './revocable-stream';

/** graphql-ws's Unauthorized: its client treats it as fatal and does not retry with the same credential. */
export const CLOSE_UNAUTHORIZED = 4401;

/** What a fresh look at a connection's credential says. */
export type Verdict<A> =
  /** nothing that matters changed */
  | { kind: 'unchanged' }
  /** rights grew or stayed (e.g. a new membership): new operations use `auth`, running ones go on */
  | { kind: 'widened'; auth: A }
  /** some right was lost: running subscriptions end with PERMISSIONS_CHANGED, new operations use `auth` */
  | { kind: 'narrowed'; auth: A }
  /** the credential no longer authenticates: everything ends with `error`, the socket closes with 4401 */
  | { kind: 'refused'; error: GraphQLError };

export interface ConnectionRegistryOptions<A extends UpstreamAuth> {
  /** asks again who the connection's caller is */
  revalidate(auth: A): Promise<Verdict<A>>;
  /** when the credential stops on its own (an access token's expiry, a rotated key's overlap end) */
  expiresAt?(auth: A): Date | undefined;
  /** every open connection is looked at again this often (a safety net for missed bus events); 0: never */
  intervalMs: number;
  logger: EngineLogger;
}

/** One graphql-ws connection: the caller as last authenticated, and its running subscriptions. */
export interface LiveConnection<A> {
  readonly auth: A;
  /** set once the credential was refused: the connection runs nothing more */
  readonly refusal?: GraphQLError;
  /** bumped whenever rights were lost; a subscription started under an older epoch is ended at once */
  readonly epoch: number;
}

interface Connection<A> extends LiveConnection<A> {
  auth: A;
  refusal?: GraphQLError;
  epoch: number;
  close(code: number, reason: string): void;
  streams: Set<RevocableStream>;
  expiry?: NodeJS.Timeout;
  /** a revalidation in flight; the next one waits for it so verdicts apply in order */
  checking: Promise<void>;
}

/** How many connections a sweep revalidates at once. */
const SWEEP_CONCURRENCY = 8;
/** setTimeout's ceiling (about 24.8 days); a later expiry is re-armed when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** After the last results went out, the socket is closed at most this long after a refusal. */
const FLUSH_LIMIT_MS = 1_000;

export const permissionsChanged = () =>
  codedError(
    'your rights changed while this subscription ran; subscribe again to be authorised against your current rights',
    ErrorCode.PermissionsChanged,
  );

/**
 * The gateway's open graphql-ws connections, so a change to a caller reaches the subscriptions they
 * already hold: each is looked at again when the bus says its caller changed (`revalidate`), when
 * its credential expires, and on a periodic sweep. Losing a right ends its subscriptions with a coded
 * error (the upstreams they shared under the old principal are left at once); a credential that no
 * longer authenticates also closes the socket.
 */
export class ConnectionRegistry<A extends UpstreamAuth> {
  private readonly connections = new Set<Connection<A>>();
  private readonly sweeper?: NodeJS.Timeout;

  constructor(private readonly options: ConnectionRegistryOptions<A>) {
    if (options.intervalMs > 0) {
      // a sweep still running when the next is due is not doubled
      let sweeping = false;
      this.sweeper = setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        void this.revalidate(() => true).finally(() => (sweeping = false));
      }, options.intervalMs);
      this.sweeper.unref();
    }
  }

  get size(): number {
    return this.connections.size;
  }

  /** Registers an authenticated socket; `close` closes it with a WebSocket close code. */
  open(auth: A, close: (code: number, reason: string) => void): LiveConnection<A> {
    const connection: Connection<A> = { auth, epoch: 0, close, streams: new Set(), checking: Promise.resolve() };
    this.connections.add(connection);
    this.armExpiry(connection);
    return connection;
  }

  /** The socket closed. */
  forget(live: LiveConnection<A>): void {
    const connection = live as Connection<A>;
    clearTimeout(connection.expiry);
    this.connections.delete(connection);
  }

  /**
   * Hands out `stream` wrapped so it can be ended from here. `epoch` is the connection's epoch when the
   * subscription was authorised: if rights were lost since, it is ended at once.
   */
  track(
    live: LiveConnection<A>,
    stream: SubscriptionStream<ExecutionResult>,
    epoch: number,
  ): SubscriptionStream<ExecutionResult> {
    const connection = live as Connection<A>;
    const revocable = new RevocableStream(stream);
    if (connection.refusal) revocable.revoke({ errors: [connection.refusal] });
    else if (epoch !== connection.epoch || !this.connections.has(connection))
      revocable.revoke({ errors: [permissionsChanged()] });
    else {
      connection.streams.add(revocable);
      void revocable.finished.then(() => connection.streams.delete(revocable));
    }
    return revocable;
  }

  /** The callers of the open connections that `matches` selects (to evict their cached lookups first). */
  callers(matches: (auth: A) => boolean): A[] {
    return [...this.connections].filter((c) => !c.refusal && matches(c.auth)).map((c) => c.auth);
  }

  /** Looks again at every connection `matches` selects and applies the verdicts. */
  async revalidate(matches: (auth: A) => boolean): Promise<void> {
    const selected = [...this.connections].filter((c) => !c.refusal && matches(c.auth));
    for (let i = 0; i < selected.length; i += SWEEP_CONCURRENCY) {
      await Promise.all(selected.slice(i, i + SWEEP_CONCURRENCY).map((c) => this.check(c)));
    }
  }

  /** Stops the sweep and the expiry timers (the gateway is stopping; graphql-ws closes the sockets). */
  stop(): void {
    clearInterval(this.sweeper);
    for (const connection of this.connections) clearTimeout(connection.expiry);
    this.connections.clear();
  }

  private check(connection: Connection<A>): Promise<void> {
    connection.checking = connection.checking.then(async () => {
      if (connection.refusal || !this.connections.has(connection)) return;
      let verdict: Verdict<A>;
      try {
        verdict = await this.options.revalidate(connection.auth);
      } catch (err) {
        // users unreachable, say: keep the connection as it is and look again on the next sweep
        this.options.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not revalidate a connection');
        return;
      }
      this.apply(connection, verdict);
    });
    return connection.checking;
  }

  private apply(connection: Connection<A>, verdict: Verdict<A>): void {
    if (verdict.kind === 'refused') return this.refuse(connection, verdict.error);
    if (verdict.kind === 'unchanged') return this.armExpiry(connection);
    connection.auth = verdict.auth;
    if (verdict.kind === 'narrowed') {
      connection.epoch++;
      const last = { errors: [permissionsChanged()] };
      this.options.logger.debug({ subscriptions: connection.streams.size }, 'rights lost: subscriptions ended');
      for (const stream of connection.streams) stream.revoke(last);
      connection.streams.clear();
    }
    this.armExpiry(connection);
  }

  private refuse(connection: Connection<A>, error: GraphQLError): void {
    connection.refusal = error;
    connection.epoch++;
    clearTimeout(connection.expiry);
    const streams = [...connection.streams];
    connection.streams.clear();
    for (const stream of streams) stream.revoke({ errors: [error] });
    const reason = String(error.extensions.reason ?? 'UNAUTHENTICATED');
    this.options.logger.debug({ subscriptions: streams.length, reason }, 'credential refused: connection ends');
    // close once the final results went out (graphql-ws sends `complete` right after), or after a short limit
    const flushed = Promise.all(streams.map((s) => s.finished));
    const limit = new Promise<void>((resolve) => setTimeout(resolve, FLUSH_LIMIT_MS).unref());
    void Promise.race([flushed, limit]).then(() => setImmediate(() => connection.close(CLOSE_UNAUTHORIZED, reason)));
  }

  private armExpiry(connection: Connection<A>): void {
    clearTimeout(connection.expiry);
    const expiresAt = this.options.expiresAt?.(connection.auth);
    if (!expiresAt) return;
    // a little after the instant, so the credential is certainly expired when it is looked at
    const delay = Math.min(Math.max(expiresAt.getTime() - Date.now() + 100, 1_000), MAX_TIMER_MS);
    connection.expiry = setTimeout(() => void this.check(connection), delay);
    connection.expiry.unref();
  }
}
