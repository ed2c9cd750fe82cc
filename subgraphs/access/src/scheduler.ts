import {
  ConfigError,
  executorOf,
  recordEvent,
  runPeriodically,
  type ConsumerServices,
  type SqlDatabase,
  type SqlExecutor,
} from '@eventgraph/runtime';
import type { AccessDb } from './context';
import { scheduledSteps, type SeriesStatus } from './domain/series-lifecycle';
import { releaseAllExpiredHolds, type AnnouncingTransact } from './sales/inventory';
import { holdTtlMs } from './sales/settings';
import { settleWaitingTypes } from './sales/waitlist-offers';
import { offerTtlMs } from './sales/waitlist-settings';
import { applySeriesTransition } from './series-transitions';

/** ACCESS_SCHEDULER_INTERVAL_MS: how often the scheduler looks for due series (default 15 s). */
export function schedulerIntervalMs(env: Record<string, string | undefined> = process.env): number {
  const raw = env.ACCESS_SCHEDULER_INTERVAL_MS;
  if (raw === undefined || raw === '') return 15_000;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 10)
    throw new ConfigError(['ACCESS_SCHEDULER_INTERVAL_MS: must be an integer >= 10']);
  return value;
}

const BATCH = 100;
const SCHEDULER = { kind: 'scheduler', id: null };

/**
 * One pass: every series due at `now` moves on (scheduled → active when its
 * check-in window opens, active → completed when it ends). Each series moves
 * in its own transaction with a conditional update, so replicas running passes
 * at the same time, or a pass racing an admin, never log or announce a move
 * twice; a pass after a restart catches up on everything that fell due.
 * Returns how many moves this pass made.
 */
export async function runSchedulerPass(db: AccessDb, now = new Date()): Promise<number> {
  let moves = 0;
  let skip = 0;
  for (;;) {
    // templates are always drafts or cancelled, so the statuses alone leave them out
    const due = await db.eventSeries.findMany({
      where: {
        OR: [
          { status: 'SCHEDULED', checkInOpensAt: { lte: now } },
          { status: { in: ['SCHEDULED', 'ACTIVE'] }, endsAt: { lte: now } },
        ],
      },
      orderBy: { id: 'asc' },
      skip,
      take: BATCH,
    });
    for (const series of due) {
      const steps = scheduledSteps(
        {
          status: series.status as SeriesStatus,
          checkInOpensAt: series.checkInOpensAt,
          endsAt: series.endsAt,
          isTemplate: series.recurrence !== null,
        },
        now,
      );
      if (steps.length === 0) {
        skip++;
        continue;
      }
      moves += await db.$transaction(async (tx) => {
        const announce = async (topic: string, payload: Record<string, unknown>) => {
          await recordEvent(tx as unknown as SqlExecutor, 'access', topic, payload);
        };
        let made = 0;
        for (const { from, to } of steps) {
          // someone else moved it first: they logged and announced it, nothing left to do here
          if (!(await applySeriesTransition(tx, announce, { series, from, to, actor: SCHEDULER, reason: reasonOf(to) }))) break;
          made++;
        }
        return made;
      });
    }
    if (due.length < BATCH) return moves;
  }
}

/** The scheduler's transactions announce through the outbox too; the relay's poll publishes them. */
const announcingTransact =
  (sql: SqlDatabase): AnnouncingTransact =>
  (fn) =>
    sql.transaction((tx) =>
      fn(tx, async (topic, payload) => {
        await recordEvent(executorOf(tx), 'access', topic, payload);
      }),
    );

const reasonOf = (to: string) => (to === 'ACTIVE' ? 'check-in window opened' : 'series ended');

/**
 * The scheduler worker of the access subgraph: a pass at start (catching up), then every interval. Each pass
 * also releases expired holds (availability never waits for it: reads count expired holds as free).
 */
export function startScheduler({ db, sql, log }: ConsumerServices<AccessDb>, intervalMs = schedulerIntervalMs()) {
  holdTtlMs(); // a bad ACCESS_HOLD_TTL_SECONDS stops the start, not the first hold
  offerTtlMs(); // and ACCESS_WAITLIST_OFFER_TTL_SECONDS
  return runPeriodically(
    'scheduler pass',
    intervalMs,
    async () => {
      const moves = await runSchedulerPass(db);
      if (moves) log.info({ moves }, 'scheduler moved series');
      const released = await releaseAllExpiredHolds(announcingTransact(sql));
      if (released) log.info({ released }, 'scheduler released expired holds');
      const settled = await settleWaitingTypes(sql, announcingTransact(sql));
      if (settled) log.info({ settled }, 'scheduler offered free tickets to waitlists');
    },
    log,
  );
}
