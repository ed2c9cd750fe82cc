import type { ExecutionResult } from 'graphql';
import type { SubscriptionStream } from '../subscriptions/result-channel';
import type { SharedReplay } from './redis-replay';
import { ResumableStream } from './resumable-stream';
import type { SseSettings } from './settings';

export type OpenedStream = ResumableStream | ExecutionResult;

/**
 * The gateway's resumable streams by key (caller, operation, variables): a reader of a key gets the
 * stream already running for it, or one started for it, so a reconnect finds what it missed. Streams
 * without a reader are bounded (`maxIdleStreams`): past it, the one idle longest ends.
 */
export class StreamRegistry {
  private readonly streams = new Map<string, ResumableStream>();
  private readonly opening = new Map<string, Promise<OpenedStream>>();
  /** streams without a reader, longest idle first */
  private readonly idle = new Set<ResumableStream>();

  constructor(
    private readonly settings: SseSettings,
    /** every stream's replay in Redis as well, for resumes on other replicas */
    private readonly shared?: SharedReplay,
  ) {}

  /** open streams (for tests and metrics) */
  get size(): number {
    return this.streams.size;
  }

  /**
   * The stream of `key`: the running one, or one over what `subscribe` returns (requests for the same key at
   * the same time share it); the refusal when the subscription is refused.
   */
  open(key: string, subscribe: () => Promise<SubscriptionStream<ExecutionResult> | ExecutionResult>): Promise<OpenedStream> {
    const running = this.streams.get(key);
    if (running?.isOpen) return Promise.resolve(running);
    let pending = this.opening.get(key);
    if (!pending) {
      pending = this.start(key, subscribe).finally(() => this.opening.delete(key));
      this.opening.set(key, pending);
    }
    return pending;
  }

  /** Ends every stream (the gateway is stopping). */
  close(): void {
    for (const stream of [...this.streams.values()]) stream.close();
  }

  private async start(
    key: string,
    subscribe: () => Promise<SubscriptionStream<ExecutionResult> | ExecutionResult>,
  ): Promise<OpenedStream> {
    const source = await subscribe();
    if (!(Symbol.asyncIterator in source)) return source;
    const { replayEvents, replayBytes, replayMs, retryMs } = this.settings;
    const stream: ResumableStream = new ResumableStream(source, {
      maxEvents: replayEvents,
      maxBytes: replayBytes,
      maxAgeMs: replayMs,
      retryMs,
      shared: this.shared && { replay: this.shared, key },
      idle: (which, idle) => this.markIdle(which, idle),
      ended: (which) => {
        this.idle.delete(which);
        if (this.streams.get(key) === which) this.streams.delete(key);
      },
    });
    if (stream.isOpen) this.streams.set(key, stream);
    return stream;
  }

  private markIdle(stream: ResumableStream, idle: boolean): void {
    this.idle.delete(stream);
    if (!idle) return;
    this.idle.add(stream);
    for (const oldest of this.idle) {
      if (this.idle.size <= this.settings.maxIdleStreams) break;
      oldest.close(); // its `ended` takes it out of both sets
    }
  }
}
