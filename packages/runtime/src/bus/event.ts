/**
 * The one shape every event has on the bus, whatever the transport. It is
 * plain JSON so it crosses process boundaries unchanged.
 */
export interface BusEvent {
  /** uuid assigned when the event is recorded; stable across redeliveries, so consumers dedupe on it */
  id: string;
  /** dot-separated, e.g. 'checkin.recorded'; no wildcards */
  topic: string;
  /** name of the subgraph that recorded the event */
  source: string;
  /** ISO-8601 time the event was recorded (millisecond precision) */
  occurredAt: string;
  payload: Record<string, unknown>;
  /** W3C trace context of the request that recorded it, when traced: its consumers continue that trace */
  traceparent?: string;
}

/** Extra facts for durable consumers: a webhook sender, for one, wants to know the attempt number. */
export interface DeliveryInfo {
  /** 1 on first delivery, 2 on the first redelivery, ... */
  attempt: number;
}

export type EventHandler = (event: BusEvent) => void | Promise<void>;
export type DurableEventHandler = (event: BusEvent, delivery: DeliveryInfo) => void | Promise<void>;

/**
 * Topics and patterns follow NATS subjects: dot-separated tokens; in a
 * pattern `*` matches exactly one token and `>` (last token only) matches
 * one or more remaining tokens.
 */
const TOKEN = /^[^\s.*>]+$/;

export function assertTopic(topic: string): void {
  if (typeof topic !== 'string' || !topic.split('.').every((t) => TOKEN.test(t))) {
    throw new TypeError(`invalid event topic ${JSON.stringify(topic)}: use dot-separated tokens without spaces or wildcards`);
  }
}

export function assertTopicPattern(pattern: string): void {
  const tokens = typeof pattern === 'string' ? pattern.split('.') : [''];
  const ok = tokens.every((t, i) => t === '*' || (t === '>' && i === tokens.length - 1) || TOKEN.test(t));
  if (!ok) {
    throw new TypeError(
      `invalid topic pattern ${JSON.stringify(pattern)}: use dot-separated tokens, '*' for one token, '>' as the last token`,
    );
  }
}

export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split('.');
  const t = topic.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return t.length > i;
    if (i >= t.length) return false;
    if (p[i] !== '*' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}

/** Parses an event received from outside the process; rejects anything that is not a BusEvent. */
export function parseBusEvent(json: string): BusEvent {
  const value = JSON.parse(json) as Partial<BusEvent> | null;
  if (
    !value ||
    typeof value.id !== 'string' ||
    typeof value.topic !== 'string' ||
    typeof value.source !== 'string' ||
    typeof value.occurredAt !== 'string' ||
    typeof value.payload !== 'object' ||
    value.payload === null
  ) {
    throw new TypeError('message is not a BusEvent');
  }
  return value as BusEvent;
}
