import type { GraphQLFormattedError } from 'graphql';

/**
 * The text/event-stream format (WHATWG HTML, "Server-sent events") as the gateway speaks it, after
 * GraphQL over SSE (graphql-sse's distinct connections mode): `next` carries a result (`{ data, errors? }`),
 * `complete` ends the subscription, `error` carries `{ errors }` and is the last message before `complete`.
 * Ours besides: `reset` says the events after the client's Last-Event-ID can no longer be replayed.
 */
export const SseEvent = {
  Next: 'next',
  Error: 'error',
  Complete: 'complete',
  Reset: 'reset',
} as const;
export type SseEvent = (typeof SseEvent)[keyof typeof SseEvent];

/** `extensions.code` values of the stream itself. */
export const SseCode = {
  /** `reset`: events after the Last-Event-ID are no longer kept (or were never seen here): reload, then follow on */
  EventsMissed: 'EVENTS_MISSED',
  /** the response was cut off: the client left more unread than the gateway keeps for it */
  SlowSubscriber: 'SLOW_SUBSCRIBER',
} as const;

export const EVENT_STREAM_TYPE = 'text/event-stream';

export interface SseMessage {
  event?: SseEvent;
  id?: string;
  /** one `data:` line per line of text */
  data?: string;
  /** how long a client should wait before reconnecting (EventSource's reconnection time) */
  retry?: number;
}

/** One message in the wire format. A message without data sets `id`/`retry` in an EventSource and dispatches nothing. */
export function formatMessage({ event, id, data, retry }: SseMessage): string {
  let text = '';
  if (retry !== undefined) text += `retry: ${retry}\n`;
  if (id !== undefined) text += `id: ${id}\n`;
  if (event !== undefined) text += `event: ${event}\n`;
  if (data !== undefined) for (const line of data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return `${text}\n`;
}

/** A comment line: ignored by clients, it keeps proxies from taking the connection for idle. */
export const comment = (text: string) => `: ${text}\n\n`;

/** `error` (and `reset`): the same `{ errors }` body as an HTTP refusal, so a client has one parser. */
export const errorsData = (errors: readonly GraphQLFormattedError[]) => JSON.stringify({ errors });

/** `complete` with an empty data line: EventSource dispatches no event without one. */
export const COMPLETE = formatMessage({ event: SseEvent.Complete, data: '' });

/**
 * Event ids are `<stream>.<sequence>`: the stream names one run of a subscription on this gateway (a
 * token), the sequence counts its events from 1. A Last-Event-ID resumes only the run that issued it.
 */
export const eventId = (stream: string, sequence: number) => `${stream}.${sequence}`;

export function parseEventId(text: string | undefined): { stream: string; sequence: number } | undefined {
  const match = /^([A-Za-z0-9_-]{1,64})\.(\d{1,15})$/.exec(text?.trim() ?? '');
  return match ? { stream: match[1]!, sequence: Number(match[2]) } : undefined;
}
