import type { ExecutionResult } from 'graphql';
import { asGraphQLError } from './errors';
import type { EngineLogger } from './logger';
import type { ResultChannel } from './result-channel';

/** How long a ready result may wait for the events queued behind it to resolve, so they go out together. */
const BATCH_WAIT_MS = 50;
/** Events of one group resolving at once: a burst (an upstream catching up) must not become a burst of fetches. */
const MAX_RESOLVING = 16;

/** Completes one upstream event into the result for the group's operation. */
export type ResolveEvent<E> = (event: E) => Promise<ExecutionResult>;

/** An event in arrival order (resolving once fewer than MAX_RESOLVING before it are); or the group's end. */
type EventStep<E> = { seq: number; event: E; resolved?: Promise<unknown>; result?: ExecutionResult };
type Step<E> = EventStep<E> | { end: true; last?: ExecutionResult; done(): void };

/**
 * Clients running the same operation with the same variables. Each event is resolved once for all of
 * them, starting as soon as it arrives, and delivered in arrival order to the clients subscribed when
 * it arrived, every client getting the same result object (a transport serialises it once). Results
 * ready together — the gateway fell behind — reach each client in one push, which a transport can
 * write in one go: the further behind, the cheaper each delivery.
 */
export class OperationGroup<E> {
  /** each client, with the number of events that had arrived when it joined */
  private readonly clients = new Map<ResultChannel<ExecutionResult>, number>();
  private readonly steps: Step<E>[] = [];
  /** events not resolving yet, in order */
  private readonly unstarted: EventStep<E>[] = [];
  private resolving = 0;
  private arrived = 0;
  private draining = false;

  constructor(
    private readonly resolveEvent: ResolveEvent<E>,
    private readonly logger: EngineLogger,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  add(client: ResultChannel<ExecutionResult>): void {
    this.clients.set(client, this.arrived);
  }

  delete(client: ResultChannel<ExecutionResult>): boolean {
    return this.clients.delete(client);
  }

  publish(event: E): void {
    const seq = ++this.arrived;
    if (this.clients.size === 0) return;
    const step: EventStep<E> = { seq, event };
    this.steps.push(step);
    this.unstarted.push(step);
    this.startResolving();
    void this.drain();
  }

  private startResolving(): void {
    while (this.resolving < MAX_RESOLVING && this.unstarted.length > 0) {
      const step = this.unstarted.shift()!;
      this.resolving++;
      step.resolved = this.resolveEvent(step.event)
        .then(
          (result) => (step.result = result),
          (err: unknown) => {
            this.logger.error({ err }, 'resolving a subscription event failed');
            step.result = { data: null, errors: [asGraphQLError(err)] };
          },
        )
        .finally(() => {
          this.resolving--;
          this.startResolving();
        });
    }
  }

  /** Ends every client, with `last` as its final result if given, once the events before were delivered. */
  end(last?: ExecutionResult): Promise<void> {
    return new Promise((done) => {
      this.steps.push({ end: true, last, done });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let head = this.steps[0]; head; head = this.steps[0]) {
        if ('end' in head) {
          this.steps.shift();
          for (const client of this.clients.keys()) client.end(head.last);
          this.clients.clear();
          head.done();
          continue;
        }
        await head.resolved;
        if (this.steps.length > 1) await this.queuedResolved();
        this.deliver(this.takeResolved());
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * Behind (more events queued than the one ready): those resolving now go out with it, each client written to
   * once for all of them, unless they take longer than BATCH_WAIT_MS (a subgraph slow to answer).
   */
  private async queuedResolved(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise((resolve) => (timer = setTimeout(resolve, BATCH_WAIT_MS)));
    await Promise.race([waited, Promise.all(this.steps.map((step) => ('end' in step ? undefined : step.resolved)))]);
    clearTimeout(timer);
  }

  /** The resolved events at the head, in order, up to the first one still resolving or the end. */
  private takeResolved(): Array<{ seq: number; result: ExecutionResult }> {
    const ready: Array<{ seq: number; result: ExecutionResult }> = [];
    for (let head = this.steps[0]; head && !('end' in head) && head.result; head = this.steps[0]) {
      ready.push({ seq: head.seq, result: head.result });
      this.steps.shift();
    }
    return ready;
  }

  private deliver(ready: Array<{ seq: number; result: ExecutionResult }>): void {
    if (ready.length === 0) return;
    const all = ready.map((r) => r.result);
    for (const [client, joined] of this.clients) {
      // a client that joined while these events were on their way gets only those that arrived after it
      const results = joined < ready[0]!.seq ? all : ready.filter((r) => r.seq > joined).map((r) => r.result);
      try {
        client.pushAll(results);
      } catch (err) {
        // one client's failing transport must not keep the results from the others, nor stop the group
        this.logger.error({ err }, 'delivering subscription results to a client failed');
        void client.return();
      }
    }
  }
}
