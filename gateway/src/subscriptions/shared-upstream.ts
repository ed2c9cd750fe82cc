import type { ExecutionResult, FormattedExecutionResult, GraphQLError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ErrorCode, codedError, errorResult } from './errors';
import type { UpstreamAuth } from './engine';
import type { EngineLogger } from './logger';
import { OperationGroup, type ResolveEvent } from './operation-group';
import { ResultChannel } from './result-channel';

/** Results a client may leave unread before its stream is ended (see ResultChannel). */
const MAX_UNREAD_RESULTS = 1000;

/** Everything that makes two upstream subscriptions interchangeable. */
export interface UpstreamRequest {
  subgraph: string;
  /** the subgraph's graphql-ws endpoint */
  url: string;
  query: string;
  operationName?: string;
  variables: Record<string, unknown>;
  /** sent as the connection_init payload */
  auth: UpstreamAuth;
}

/** an event as received from the subgraph (JSON) */
export type UpstreamEvent = FormattedExecutionResult<Record<string, unknown>, unknown>;

/**
 * One graphql-ws subscription to the subgraph owning the root field, shared by every client whose
 * upstream request is identical. Clients are grouped by their own operation so each event is resolved
 * (entity fetches, shaping) once per distinct operation, not once per client. The upstream is closed as
 * soon as its last client leaves, and when it ends every client is ended — never left hanging.
 */
export class SharedUpstream {
  private readonly groups = new Map<string, OperationGroup<UpstreamEvent>>();
  private client?: Client;
  private unsubscribe?: () => void;
  private closing?: Promise<void>;
  private settleAcceptance!: (accepted: boolean) => void;
  /**
   * true once the subgraph said it subscribed (its ping `{ subscribed }`, sent before any result), false when the
   * upstream ended first: refused (a `next` with errors, then `complete`) or unreachable
   */
  readonly accepted = new Promise<boolean>((resolve) => (this.settleAcceptance = resolve));

  constructor(
    private readonly request: UpstreamRequest,
    private readonly onClosed: () => void,
    private readonly logger: EngineLogger,
  ) {}

  open(): void {
    const { url, query, operationName, variables, auth, subgraph } = this.request;
    this.logger.debug({ subgraph, url, operationName }, 'opening upstream subscription');
    this.client = createClient({
      url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: () => auth.headers(),
      onNonLazyError: () => {}, // the same failure reaches the subscription's error sink below
    });
    this.client.on('ping', (received, payload) => {
      if (received && payload?.subscribed !== undefined) this.settleAcceptance(true);
    });
    this.unsubscribe = this.client.subscribe(
      { query, operationName, variables },
      {
        next: (event) => this.groups.forEach((group) => group.publish(event)),
        error: (err) => void this.close(upstreamFailure(subgraph, err)),
        complete: () => void this.close(),
      },
    );
  }

  /** Adds a client running the operation identified by `operationKey`; its channel detaches itself on return(). */
  attach(operationKey: string, resolveEvent: ResolveEvent<UpstreamEvent>): ResultChannel<ExecutionResult> {
    let group = this.groups.get(operationKey);
    if (!group) {
      group = new OperationGroup(resolveEvent, this.logger);
      this.groups.set(operationKey, group);
    }
    const channel: ResultChannel<ExecutionResult> = new ResultChannel(() => this.detach(operationKey, channel), {
      limit: MAX_UNREAD_RESULTS,
      last: errorResult(codedError('the subscriber fell too far behind; subscribe again', ErrorCode.SubscriptionOverflow)),
    });
    group.add(channel);
    return channel;
  }

  /**
   * Stops the upstream and ends every client after the events already received have been delivered,
   * with `error` as their final result if given. Idempotent.
   */
  close(error?: GraphQLError): Promise<void> {
    if (this.closing) return this.closing;
    if (error)
      this.logger.warn({ subgraph: this.request.subgraph, err: error.message }, 'upstream subscription ended with an error');
    this.settleAcceptance(false);
    this.onClosed();
    this.unsubscribe?.();
    const disposed = Promise.resolve(this.client?.dispose()).catch(() => {});
    const ended = [...this.groups.values()].map((group) => group.end(error ? { errors: [error] } : undefined));
    this.groups.clear();
    this.closing = Promise.all([disposed, ...ended]).then(() => {});
    return this.closing;
  }

  private detach(operationKey: string, channel: ResultChannel<ExecutionResult>): void {
    const group = this.groups.get(operationKey);
    if (!group?.delete(channel)) return;
    if (group.size === 0) this.groups.delete(operationKey);
    if (this.groups.size === 0) void this.close();
  }
}

/** Maps what graphql-ws reports when a subscription fails to the error clients receive. */
function upstreamFailure(subgraph: string, err: unknown): GraphQLError {
  const extensions = { serviceName: subgraph };
  if (Array.isArray(err)) {
    // the subgraph rejected the operation with an `error` message
    const messages = err.map((e: { message?: unknown }) => String(e?.message)).join('; ');
    return codedError(
      `Subscription to subgraph "${subgraph}" failed: ${messages}`,
      ErrorCode.UpstreamSubscriptionFailed,
      extensions,
    );
  }
  const close = err as { code?: unknown; reason?: unknown };
  if (typeof close?.code === 'number') {
    const reason = close.reason ? `: ${String(close.reason)}` : '';
    // 4400–4499 are graphql-ws protocol/auth rejections: the subgraph is up but refused us
    const code = close.code >= 4400 && close.code < 4500 ? ErrorCode.UpstreamSubscriptionFailed : ErrorCode.SubgraphUnavailable;
    return codedError(`Subscription to subgraph "${subgraph}" closed (code ${close.code}${reason})`, code, extensions);
  }
  const message = err instanceof Error ? err.message : ((err as { message?: unknown })?.message ?? 'connection failed');
  return codedError(
    `Subscription to subgraph "${subgraph}" is unavailable: ${String(message)}`,
    ErrorCode.SubgraphUnavailable,
    extensions,
  );
}
