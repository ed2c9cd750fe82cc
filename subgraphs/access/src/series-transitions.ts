import type { Announce } from '@eventgraph/runtime';
import type { AccessTx } from './context';
import type { SeriesStatus } from './domain/series-lifecycle';

export interface Actor {
  /** user, apiKey, device, service or scheduler */
  kind: string;
  id: string | null;
}

export interface TransitionRequest {
  series: { id: string; organizationId: string; eventId: string };
  from: SeriesStatus;
  to: SeriesStatus;
  actor: Actor;
  reason: string | null;
}

/**
 * Moves a series from one status to the next, if it still is in `from`, and
 * logs and announces the move in the same transaction. The conditional update
 * makes it safe to race: of two callers (two scheduler replicas, an admin and
 * the scheduler) one wins and the other learns it lost (false), so nothing is
 * logged or announced twice.
 */
export async function applySeriesTransition(tx: AccessTx, announce: Announce, request: TransitionRequest): Promise<boolean> {
  const { series, from, to, actor, reason } = request;
  const { count } = await tx.eventSeries.updateMany({ where: { id: series.id, status: from }, data: { status: to } });
  if (count !== 1) return false;
  await tx.seriesTransition.create({
    // the clock, not now(): now() is the transaction's start, the same for every step of one pass
    data: {
      seriesId: series.id,
      fromStatus: from,
      toStatus: to,
      actorKind: actor.kind,
      actorId: actor.id,
      reason,
      occurredAt: new Date(),
    },
  });
  await announce('series.transitioned', {
    seriesId: series.id,
    eventId: series.eventId,
    organizationId: series.organizationId,
    from,
    to,
    reason,
    actorKind: actor.kind,
    actorId: actor.id,
  });
  return true;
}
