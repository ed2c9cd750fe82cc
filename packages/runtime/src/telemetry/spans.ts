import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { tracerFor, tracingEnabled } from './tracing';

/**
 * Runs an HTTP request's handling inside a server span that continues the caller's `traceparent`; the span ends
 * when the response is done. With tracing off it only calls `handle`.
 */
export function traceHttpRequest(
  service: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  handle: () => void,
): void {
  if (!tracingEnabled()) return handle();
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const method = req.method ?? 'GET';
  const span = tracerFor(service).startSpan(
    `${method} ${path}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path } },
    parent,
  );
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500 || !res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), handle);
}

/** Names the current server span after the GraphQL operation once it is known (`query EventPage`). */
export function nameGraphQLSpan(operationType: string | undefined, operationName: string | undefined): void {
  const span = tracingEnabled() ? trace.getActiveSpan() : undefined;
  if (!span || !operationType) return;
  span.updateName(operationName ? `${operationType} ${operationName}` : operationType);
  span.setAttribute('graphql.operation.type', operationType);
  if (operationName) span.setAttribute('graphql.operation.name', operationName);
}

/** Ends the span when `run` settles, marked as an error with `describe(err)` when it throws. */
async function endingWith<T>(span: Span, run: () => Promise<T>, describe: (err: unknown) => string | undefined): Promise<T> {
  try {
    return await run();
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: describe(err) });
    throw err;
  } finally {
    span.end();
  }
}

/**
 * A client span per SQL statement, its text as sent (parameters are `$1…` placeholders, never values). Only
 * inside a trace: the relay's polling and other background statements start no traces of their own.
 */
export function traceStatement<T>(service: string, text: string, schema: string, run: () => Promise<T>): Promise<T> {
  if (!tracingEnabled() || !trace.getActiveSpan()) return run();
  // the first word after any leading comments (PLANNED_EACH_TIME starts with one)
  const operation = /^\s*(?:\/\*[\s\S]*?\*\/\s*)*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'SQL';
  return tracerFor(service).startActiveSpan(
    `${operation} ${schema}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'postgresql',
        'db.namespace': schema,
        'db.operation.name': operation,
        'db.query.text': text,
      },
    },
    (span) => endingWith(span, run, (err) => (err as { code?: string }).code),
  );
}

/**
 * A client span around a request to another service (the gateway's subgraph fetches), whose W3C trace context
 * `run` sends as headers so the callee's server span is its child. Only inside a trace; otherwise no headers.
 */
export function traceOutgoingRequest<T>(
  service: string,
  target: string,
  operationName: string | undefined,
  run: (traceHeaders: Record<string, string>) => Promise<T>,
): Promise<T> {
  if (!tracingEnabled() || !trace.getActiveSpan()) return run({});
  return tracerFor(service).startActiveSpan(
    operationName ? `${target} ${operationName}` : target,
    {
      kind: SpanKind.CLIENT,
      attributes: { 'peer.service': target, ...(operationName ? { 'graphql.operation.name': operationName } : {}) },
    },
    (span) => {
      const headers: Record<string, string> = {};
      propagation.inject(context.active(), headers);
      return endingWith(
        span,
        () => run(headers),
        (err) => (err instanceof Error ? err.message : String(err)),
      );
    },
  );
}

/**
 * The trace context an event carries from its producer: a short producer span, child of the request that
 * records the event, whose `traceparent` goes into the event envelope. Undefined outside a trace.
 */
export function eventTraceparent(service: string, topic: string, eventId: string): string | undefined {
  if (!tracingEnabled() || !trace.getActiveSpan()) return undefined;
  const span = tracerFor(service).startSpan(`${topic} publish`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': 'eventgraph',
      'messaging.operation.type': 'create',
      'messaging.destination.name': topic,
      'messaging.message.id': eventId,
    },
  });
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  span.end();
  return carrier.traceparent;
}

/** Runs a consumer's handling of an event in a consumer span continuing the event's producer trace. */
export function traceEventHandling<T>(
  service: string,
  event: { id: string; topic: string; traceparent?: string },
  consumer: string,
  handle: () => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return handle();
  const parent: Context = event.traceparent
    ? propagation.extract(ROOT_CONTEXT, { traceparent: event.traceparent })
    : ROOT_CONTEXT;
  return tracerFor(service).startActiveSpan(
    `${event.topic} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'eventgraph',
        'messaging.operation.type': 'process',
        'messaging.destination.name': event.topic,
        'messaging.consumer.group.name': consumer,
        'messaging.message.id': event.id,
      },
    },
    parent,
    (span) => endingWith(span, handle, (err) => (err instanceof Error ? err.message : String(err))),
  );
}
