import type { ExecutionResult, FormattedExecutionResult, GraphQLError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ErrorCode, asGraphQLError, codedError, errorResult } from './errors';
import type { UpstreamAuth } from './engine';
import type { EngineLogger } from './logger';
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
type ResolveEvent = (event: UpstreamEvent) => Promise<ExecutionResult>;

/**
 * One graphql-ws subscription to the subgraph owning the root field, shared by every client whose
 * upstream request is identical. Clients are grouped by their own operation so each event is resolved
 * (entity fetches, shaping) once per distinct operation, not once per client. The upstream is closed as
 * soon as its last client leaves, and when it ends every client is ended — never left hanging.
 */
export class SharedUpstream {
  private readonly groups = new Map<string, OperationGroup>();
  private client?: Client;
  private unsubscribe?: () => void;
  private closing?: Promise<void>;

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
  attach(operationKey: string, resolveEvent: ResolveEvent): ResultChannel<ExecutionResult> {
    let group = this.groups.get(operationKey);
    if (!group) {
      group = new OperationGroup(resolveEvent, this.logger);
      this.groups.set(operationKey, group);
    }
    const channel: ResultChannel<ExecutionResult> = new ResultChannel(() => this.detach(operationKey, channel), {
      limit: MAX_UNREAD_RESULTS,
      last: errorResult(codedError('the subscriber fell too far behind; subscribe again', ErrorCode.SubscriptionOverflow)),
    });
    group.clients.add(channel);
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
    if (!group?.clients.delete(channel)) return;
    if (group.clients.size === 0) this.groups.delete(operationKey);
    if (this.groups.size === 0) void this.close();
  }
}

/** Clients running the same operation with the same variables; events are resolved and delivered in order. */
class OperationGroup {
  readonly clients = new Set<ResultChannel<ExecutionResult>>();
  private delivered: Promise<void> = Promise.resolve();

  constructor(
    private readonly resolveEvent: ResolveEvent,
    private readonly logger: EngineLogger,
  ) {}

  publish(event: UpstreamEvent): void {
    const recipients = [...this.clients]; // the clients subscribed when the event arrived
    void this.enqueue(async () => {
      if (!recipients.some((client) => client.isOpen)) return;
      const result = await this.resolveEvent(event).catch((err: unknown): ExecutionResult => {
        this.logger.error({ err }, 'resolving a subscription event failed');
        return { data: null, errors: [asGraphQLError(err)] };
      });
      for (const client of recipients) client.push(result);
    });
  }

  end(last?: ExecutionResult): Promise<void> {
    return this.enqueue(() => {
      for (const client of this.clients) client.end(last);
      this.clients.clear();
    });
  }

  private enqueue(step: () => void | Promise<void>): Promise<void> {
    this.delivered = this.delivered.then(step);
    return this.delivered;
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
