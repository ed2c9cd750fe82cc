import { randomUUID } from 'node:crypto';
import { loadIntSettings, type Logger } from '@eventgraph/runtime';
import { nextRunAfter } from '../domain/run-schedule';
import { runSource, type PipelineServices } from '../pipeline';
import { claimDueSources, releaseLease, renewLease, scheduleFacts } from './claims';

export interface WorkerSettings {
  /** how often the worker looks for due sources (INGEST_WORKER_INTERVAL_MS, default 5 s) */
  intervalMs: number;
  /** runs at once in this process (INGEST_WORKER_CONCURRENCY, default 2) */
  concurrency: number;
  /** how long a claim holds a source; renewed at a third of it while the run goes on (INGEST_LEASE_MS, default 2 min) */
  leaseMs: number;
}

export function loadWorkerSettings(env: Record<string, string | undefined> = process.env): WorkerSettings {
  const settings = loadIntSettings(
    {
      INGEST_WORKER_INTERVAL_MS: [5_000, 10, 3_600_000],
      INGEST_WORKER_CONCURRENCY: [2, 1, 64],
      INGEST_LEASE_MS: [120_000, 1_000, 3_600_000],
    },
    env,
  );
  return {
    intervalMs: settings.INGEST_WORKER_INTERVAL_MS,
    concurrency: settings.INGEST_WORKER_CONCURRENCY,
    leaseMs: settings.INGEST_LEASE_MS,
  };
}

/** Workers of this process, woken when a source is asked to run now (other replicas find it on their next look). */
const workers = new Set<RunQueueWorker>();
export const wakeRunQueue = () => workers.forEach((w) => w.wake());

/**
 * Runs due sources: claims up to its free slots, runs each under a renewed lease, and gives it back with its next
 * run time (the schedule after a success, a back-off after a failure). One failing source never holds up others.
 */
export class RunQueueWorker {
  private readonly owner = `worker-${randomUUID()}`;
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private looking: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly services: PipelineServices,
    private readonly settings: WorkerSettings,
    private readonly log: Logger,
  ) {}

  start(): void {
    workers.add(this);
    this.wake();
  }

  wake(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.looking ??= this.look()
      .catch((err: unknown) => this.log.warn({ err }, 'run queue: looking for due sources failed; trying again'))
      .finally(() => {
        this.looking = undefined;
        if (!this.stopped) this.timer = setTimeout(() => this.wake(), this.settings.intervalMs);
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    workers.delete(this);
    clearTimeout(this.timer);
    await this.looking;
    await Promise.all(this.running);
  }

  private async look(): Promise<void> {
    const free = this.settings.concurrency - this.running.size;
    if (free <= 0) return;
    const claimed = await claimDueSources(this.services.sql, this.owner, this.settings.leaseMs, free);
    for (const { id, manual } of claimed) {
      const run: Promise<void> = this.run(id, manual ? 'MANUAL' : 'SCHEDULE').finally(() => {
        this.running.delete(run);
        this.wake(); // a slot is free: another due source may be waiting
      });
      this.running.add(run);
    }
  }

  private async run(sourceId: string, trigger: 'MANUAL' | 'SCHEDULE'): Promise<void> {
    const { sql } = this.services;
    const renewal = setInterval(
      () =>
        void renewLease(sql, sourceId, this.owner, this.settings.leaseMs).catch((err: unknown) =>
          this.log.warn({ err, sourceId }, 'run queue: renewing a lease failed'),
        ),
      Math.max(500, Math.floor(this.settings.leaseMs / 3)),
    );
    let summary: Awaited<ReturnType<typeof runSource>> = null;
    try {
      summary = await runSource(this.services, sourceId, trigger);
    } catch (err) {
      this.log.error({ err, sourceId }, 'run queue: a run could not be recorded');
    } finally {
      clearInterval(renewal);
    }
    const facts = await scheduleFacts(sql, sourceId);
    const next = facts
      ? nextRunAfter(new Date(), { succeeded: summary !== null && summary.status !== 'FAILED', ...facts })
      : null;
    await releaseLease(sql, sourceId, this.owner, next);
  }
}
