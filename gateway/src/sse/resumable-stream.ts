import { randomBytes } from 'node:crypto';
import type { ExecutionResult } from 'graphql';
import { nextPayload } from '../subscriptions/next-message';
import type { SubscriptionStream } from '../subscriptions/result-channel';
import { COMPLETE, SseCode, SseEvent, errorsData, eventId, formatMessage, parseEventId } from './protocol';
import { resumeFromOtherReplica } from './other-replica';
import type { SharedReplay, StreamRecord } from './redis-replay';
import { ReplayBuffer, type ReplayLimits } from './replay-buffer';

/** Where a stream's messages go: one HTTP response, or anything else that takes text in order. */
export interface StreamReader {
  write(messages: readonly string[]): void;
  /** the stream ended; its last messages were written */
  end(): void;
}

export interface ResumableStreamOptions extends ReplayLimits {
  /** the `retry:` hint sent first to every reader */
  retryMs: number;
  /** told when the stream has no reader left (it lives on for `maxAgeMs`) and when it has one again */
  idle(stream: ResumableStream, idle: boolean): void;
  /** told once the stream has ended, for whatever reason */
  ended(stream: ResumableStream): void;
  /** the replay kept in Redis too, so a client may resume on another replica, and this stream's key there */
  shared?: { replay: SharedReplay; key: string };
}

/**
 * One subscription's results as server-sent events, for every reader with the same caller and operation.
 * Each result becomes a `next` message with the id `<token>.<sequence>`, kept in a bounded replay buffer,
 * so a reader that reconnects with its Last-Event-ID gets what it missed first. The subscription stays
 * open `maxAgeMs` after its last reader left, so a reconnect within that time misses nothing; after it,
 * or when the subscription ends, the stream is gone, and a Last-Event-ID of it is answered with `reset`.
 */
export class ResumableStream {
  /** names this run of the subscription in event ids: another run's ids mean nothing here */
  readonly token = randomBytes(6).toString('base64url');
  private sequence = 0;
  private readonly buffer: ReplayBuffer;
  private readonly readers = new Set<StreamReader>();
  /** readers being resumed from another replica's stream: they count as readers, and get messages once resumed */
  private readonly resuming = new Set<StreamReader>();
  private readonly record?: StreamRecord;
  private idleTimer?: NodeJS.Timeout;
  private done = false;

  constructor(
    private readonly source: SubscriptionStream<ExecutionResult>,
    private readonly options: ResumableStreamOptions,
  ) {
    this.buffer = new ReplayBuffer(options);
    this.record = options.shared?.replay.record(this.token, options.shared.key, () => this.sequence);
    this.becomeIdle(); // until its first reader comes
    source.pushTo((results) => this.publish(results));
    // a pushed stream's next() settles once it has ended, after its last result was pushed
    void source.next().then(
      () => this.finish(true),
      () => this.finish(true),
    );
  }

  get isOpen(): boolean {
    return !this.done;
  }

  get readerCount(): number {
    return this.readers.size + this.resuming.size;
  }

  /**
   * Adds a reader: the `retry:` hint and the stream's position first, then, for a `lastEventId` of this run
   * still covered by the buffer, every message after it; for any other `lastEventId`, `reset`.
   */
  attach(reader: StreamReader, lastEventId?: string): void {
    const id = parseEventId(lastEventId);
    if (id && id.stream !== this.token && this.options.shared && !this.done) return void this.resume(reader, id);
    const resumed = lastEventId === undefined ? undefined : this.replayAfter(lastEventId);
    const position = eventId(this.token, this.sequence);
    const opening =
      lastEventId === undefined
        ? [formatMessage({ retry: this.options.retryMs, id: position })]
        : resumed
          ? [formatMessage({ retry: this.options.retryMs }), ...resumed]
          : [formatMessage({ retry: this.options.retryMs }), this.reset(lastEventId, position)];
    reader.write(opening);
    if (this.done) return reader.end();
    this.addReader(reader);
  }

  detach(reader: StreamReader): void {
    const was = this.readers.delete(reader) || this.resuming.delete(reader);
    if (was && this.readerCount === 0 && !this.done) this.becomeIdle();
  }

  /**
   * A Last-Event-ID of another stream (another replica's, or an earlier run here): what that stream recorded
   * in Redis after it, then this stream's own from where that record stops; `reset` when they do not meet.
   * The reader waits meanwhile (counted as a reader, so the stream does not idle out); what this stream
   * publishes meanwhile is in its buffer, which the resume reads last.
   */
  private resume(reader: StreamReader, id: { stream: string; sequence: number }): void {
    this.resuming.add(reader);
    if (this.readerCount === 1) this.becomeBusy();
    const { replay, key } = this.options.shared!;
    void resumeFromOtherReplica({ shared: replay, token: id.stream, sequence: id.sequence, key, buffer: this.buffer })
      .catch(() => undefined)
      .then((missed) => {
        if (!this.resuming.delete(reader)) return; // it left meanwhile
        const position = eventId(this.token, this.sequence);
        const retry = formatMessage({ retry: this.options.retryMs });
        // the position last, so the client's Last-Event-ID is this stream's from here on
        reader.write(
          missed
            ? [retry, ...missed, formatMessage({ id: position })]
            : [retry, this.reset(eventId(id.stream, id.sequence), position)],
        );
        if (this.done) return reader.end();
        this.readers.add(reader);
      });
  }

  private addReader(reader: StreamReader): void {
    this.readers.add(reader);
    if (this.readerCount === 1) this.becomeBusy();
  }

  /**
   * Ends the subscription (the gateway is stopping, or no one read it for too long). Readers are cut off
   * without `complete`, so an EventSource reconnects (to another replica, say) and learns with `reset` that
   * it may have missed events.
   */
  close(): void {
    this.finish(false);
    void this.source.return(undefined).catch(() => {});
  }

  private replayAfter(lastEventId: string): string[] | undefined {
    const id = parseEventId(lastEventId);
    if (!id || id.stream !== this.token || id.sequence > this.sequence) return undefined;
    return this.buffer.after(id.sequence);
  }

  private reset(lastEventId: string, position: string): string {
    const message = `events after ${JSON.stringify(lastEventId.slice(0, 100))} can no longer be replayed: load what you show again, then follow this stream`;
    return formatMessage({
      event: SseEvent.Reset,
      id: position,
      data: errorsData([{ message, extensions: { code: SseCode.EventsMissed } }]),
    });
  }

  /** A result with data is a `next` event, kept for replay; one with errors alone ends the stream (`error`). */
  private publish(results: readonly ExecutionResult[]): void {
    if (this.done) return;
    const messages = results.map((result) => {
      if (!('data' in result)) return formatMessage({ event: SseEvent.Error, data: JSON.stringify(nextPayload(result)) });
      const text = formatMessage({
        event: SseEvent.Next,
        id: eventId(this.token, ++this.sequence),
        data: JSON.stringify(nextPayload(result)),
      });
      this.buffer.append(this.sequence, text);
      this.record?.append(this.sequence, text);
      return text;
    });
    for (const reader of this.readers) reader.write(messages);
  }

  /** `completed`: the subscription itself ended, and readers are told so (`complete`: do not reconnect). */
  private finish(completed: boolean): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.idleTimer);
    this.record?.end();
    for (const reader of this.readers) {
      if (completed) reader.write([COMPLETE]);
      reader.end();
    }
    this.readers.clear();
    this.options.ended(this);
  }

  private becomeIdle(): void {
    this.options.idle(this, true);
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close(), this.options.maxAgeMs);
    this.idleTimer.unref();
  }

  private becomeBusy(): void {
    clearTimeout(this.idleTimer);
    this.options.idle(this, false);
  }
}
