import { randomUUID } from 'node:crypto';
import { recordEvent, type ConsumerServices, type Logger, type SqlExecutor } from '@eventgraph/runtime';
import type { UsersDb, UsersTx } from '../context';
import {
  afterFailedAttempt,
  backoffDelayMs,
  isSuccessStatus,
  shouldDisableEndpoint,
  signatureHeader,
  WEBHOOK_HEADERS,
} from '../domain/webhooks';
import { postWebhook, PrivateTargetError, type WebhookPost } from './post';
import { loadWebhookSettings, type WebhookSettings } from './settings';

/** A delivery claimed by this worker, with what sending it needs. */
interface Claimed {
  id: string;
  eventId: string;
  topic: string;
  payload: unknown;
  occurredAt: Date | string;
  attempts: number;
  endpointId: string;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | string | null;
}

interface Outcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** The worker stopped mid-attempt: nothing to record, the claim goes back. */
const STOPPED = Symbol('stopped');

/** The worker of each database in this process, so the fan-out can wake it when it adds deliveries. */
const workers = new WeakMap<object, WebhookWorker>();
export const wakeWebhookWorker = (db: object) => workers.get(db)?.poke();

/** The body every attempt of a delivery posts; the same bytes each time, so receivers can dedupe and compare. */
export const deliveryBody = (d: { eventId: string; topic: string; occurredAt: Date | string; payload: unknown }) =>
  JSON.stringify({ id: d.eventId, type: d.topic, occurredAt: new Date(d.occurredAt).toISOString(), data: d.payload });

/**
 * Sends due webhook deliveries. Each pass claims up to the free slots
 * (`concurrency` minus attempts in flight) with FOR UPDATE SKIP LOCKED and a
 * lease, so replicas never send one delivery at the same time; the HTTP
 * request runs outside any transaction; its outcome (attempt log, delivery
 * status, the endpoint's failure streak, maybe disabling it) commits in one
 * transaction guarded by the claim's token. Nothing runs on the request path:
 * mutations only write bus events, the fan-out writes rows, this sends them.
 */
export class WebhookWorker {
  private readonly inFlight = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> = Promise.resolve();
  private passing = false;
  private poked = false;
  private stopped = false;

  constructor(
    private readonly db: UsersDb,
    private readonly log: Logger,
    private readonly settings: WebhookSettings,
    private readonly post: WebhookPost = postWebhook({ denyPrivate: settings.privateTargets === 'deny' }),
  ) {}

  start(): this {
    workers.set(this.db, this);
    this.schedule(0);
    return this;
  }

  /** Looks for due deliveries now (a new delivery, a finished attempt freeing a slot). */
  poke(): void {
    if (this.stopped) return;
    if (this.passing) this.poked = true;
    else this.schedule(0);
  }

  /** Stops claiming; attempts in flight are aborted and their claims given back (not counted as attempts). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (workers.get(this.db) === this) workers.delete(this.db);
    await this.pass;
    const running = [...this.inFlight.values()];
    running.forEach((r) => r.abort.abort());
    await Promise.allSettled(running.map((r) => r.done));
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.passing) return;
    this.passing = true;
    this.pass = (async () => {
      try {
        do {
          this.poked = false;
          await this.claimAndSend();
        } while (this.poked && !this.stopped);
      } catch (err) {
        if (!this.stopped) this.log.warn({ err }, 'webhook worker pass failed');
      } finally {
        this.passing = false;
      }
    })();
    await this.pass;
    this.schedule(this.settings.pollIntervalMs);
  }

  private async claimAndSend(): Promise<void> {
    const free = this.settings.concurrency - this.inFlight.size;
    if (free <= 0 || this.stopped) return;
    const token = randomUUID();
    const claimed = await this.db.$queryRawUnsafe<Claimed[]>(
      `UPDATE "WebhookDelivery" AS d
       SET "leaseUntil" = now() + ($1::int * interval '1 millisecond'), "leaseToken" = $2::uuid
       FROM "WebhookEndpoint" AS e
       WHERE e."id" = d."endpointId" AND d."id" IN (
         SELECT d2."id" FROM "WebhookDelivery" d2 JOIN "WebhookEndpoint" e2 ON e2."id" = d2."endpointId"
         WHERE d2."status" IN ('PENDING', 'FAILED') AND d2."nextAttemptAt" <= now()
           AND (d2."leaseUntil" IS NULL OR d2."leaseUntil" < now()) AND e2."enabled"
         ORDER BY d2."nextAttemptAt"
         LIMIT $3::int
         FOR UPDATE OF d2 SKIP LOCKED
       )
       RETURNING d."id"::text AS "id", d."eventId"::text AS "eventId", d."topic", d."payload", d."occurredAt", d."attempts",
                 e."id"::text AS "endpointId", e."url", e."secret", e."previousSecret", e."previousSecretExpiresAt"`,
      this.settings.leaseMs,
      token,
      free,
    );
    for (const delivery of claimed) {
      const abort = new AbortController();
      const done = this.deliver(delivery, token, abort.signal).finally(() => {
        this.inFlight.delete(delivery.id);
        this.poke();
      });
      this.inFlight.set(delivery.id, { abort, done });
    }
  }

  private async deliver(delivery: Claimed, token: string, stopSignal: AbortSignal): Promise<void> {
    const outcome = await this.send(delivery, stopSignal);
    try {
      if (outcome === STOPPED) {
        // stopping: give the claim back so the next worker sends it at once; this try does not count
        await this.db.webhookDelivery.updateMany({
          where: { id: delivery.id, leaseToken: token },
          data: { leaseUntil: null, leaseToken: null },
        });
        return;
      }
      await this.record(delivery, token, outcome);
    } catch (err) {
      // the claim expires with its lease and the delivery is sent again: a duplicate, never a loss
      if (!this.stopped) this.log.warn({ err, deliveryId: delivery.id }, 'could not record a webhook attempt');
    }
  }

  private async send(delivery: Claimed, stopSignal: AbortSignal): Promise<Outcome | typeof STOPPED> {
    const body = deliveryBody(delivery);
    const timestamp = Math.floor(Date.now() / 1000);
    const overlap =
      delivery.previousSecret && delivery.previousSecretExpiresAt && new Date(delivery.previousSecretExpiresAt) > new Date();
    const secrets = overlap ? [delivery.secret, delivery.previousSecret!] : [delivery.secret];
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    try {
      const response = await this.post(delivery.url, {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Eventgraph-Webhooks/1',
          [WEBHOOK_HEADERS.id]: delivery.eventId,
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signatureHeader(secrets, timestamp, body),
        },
        body,
        signal: AbortSignal.any([stopSignal, timeout]),
      });
      const text = await response.text().catch(() => '');
      if (isSuccessStatus(response.status)) return { statusCode: response.status, error: null, durationMs: elapsed() };
      const excerpt = text.slice(0, 200).trim();
      return {
        statusCode: response.status,
        error: `HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`,
        durationMs: elapsed(),
      };
    } catch (err) {
      if (stopSignal.aborted) return STOPPED;
      const error = timeout.aborted
        ? `timed out after ${this.settings.timeoutMs}ms`
        : err instanceof PrivateTargetError
          ? `refused: ${err.message} (WEBHOOK_PRIVATE_TARGETS=deny)`
          : `request failed: ${((err as Error)?.cause as Error | undefined)?.message ?? (err as Error)?.message ?? String(err)}`;
      return { statusCode: null, error: error.slice(0, 500), durationMs: elapsed() };
    }
  }

  /** The attempt's outcome, in one transaction: log, delivery status, endpoint streak (and disabling). */
  private async record(delivery: Claimed, token: string, outcome: Outcome): Promise<void> {
    const ok = outcome.statusCode !== null && isSuccessStatus(outcome.statusCode);
    const attempts = delivery.attempts + 1;
    const now = new Date();
    await this.db.$transaction(async (tx) => {
      const exists = await tx.webhookDelivery.count({ where: { id: delivery.id } });
      if (!exists) return; // the endpoint was deleted meanwhile
      await tx.webhookAttempt.create({ data: { deliveryId: delivery.id, at: now, ...outcome } });
      const next = ok
        ? { status: 'SUCCEEDED' as const, deliveredAt: now }
        : afterFailedAttempt(this.settings, attempts) === 'dead'
          ? { status: 'DEAD' as const }
          : {
              status: 'FAILED' as const,
              nextAttemptAt: new Date(now.getTime() + backoffDelayMs(this.settings.backoff, attempts)),
            };
      const { count } = await tx.webhookDelivery.updateMany({
        where: { id: delivery.id, leaseToken: token },
        data: {
          ...next,
          attempts,
          lastStatusCode: outcome.statusCode,
          lastError: outcome.error,
          leaseUntil: null,
          leaseToken: null,
        },
      });
      // our claim lapsed and someone else has the delivery now: the attempt is logged, the rest is theirs
      if (count === 0) return;
      if (ok) {
        await tx.webhookEndpoint.updateMany({
          where: { id: delivery.endpointId, consecutiveFailures: { gt: 0 } },
          data: { consecutiveFailures: 0 },
        });
      } else {
        await this.countFailure(tx, delivery.endpointId);
      }
    });
  }

  private async countFailure(tx: UsersTx, endpointId: string): Promise<void> {
    const endpoint = await tx.webhookEndpoint.update({
      where: { id: endpointId },
      data: { consecutiveFailures: { increment: 1 } },
    });
    if (!endpoint.enabled || !shouldDisableEndpoint(this.settings, endpoint.consecutiveFailures)) return;
    const { count } = await tx.webhookEndpoint.updateMany({
      where: { id: endpointId, enabled: true },
      data: { enabled: false, disabledAt: new Date() },
    });
    if (count !== 1) return;
    this.log.warn(
      { endpointId, consecutiveFailures: endpoint.consecutiveFailures },
      'webhook endpoint disabled after failing repeatedly',
    );
    // the relay publishes it on its next poll
    await recordEvent(tx as unknown as SqlExecutor, 'users', 'webhook.endpoint_disabled', {
      organizationId: endpoint.organizationId,
      endpointId,
      consecutiveFailures: endpoint.consecutiveFailures,
    });
  }
}

/** Starts the webhook worker of the users subgraph; stopping it waits for attempts in flight to be aborted and released. */
export function deliverWebhooks(
  { db, log }: ConsumerServices<UsersDb>,
  settings: WebhookSettings = loadWebhookSettings(),
): () => Promise<void> {
  const worker = new WebhookWorker(db, log.child({ component: 'webhooks' }), settings).start();
  return () => worker.stop();
}
