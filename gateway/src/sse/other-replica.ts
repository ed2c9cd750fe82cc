import type { ReplayBuffer } from './replay-buffer';
import type { SharedReplay } from './redis-replay';

/**
 * How far apart two replicas may see the same event (bus delivery, clocks): the local part of a resume
 * starts this much before the other stream's coverage ends, and events in that overlap may come twice.
 */
export const REPLICA_OVERLAP_MS = 1_000;

export interface OtherReplicaResume {
  shared: SharedReplay;
  /** the other stream's token and the last sequence the client got from it */
  token: string;
  sequence: number;
  /** this stream's key: the other stream must have been the same caller's same operation */
  key: string;
  /** this stream's buffer, whose kept history must reach back to where the other's record ends */
  buffer: ReplayBuffer;
}

/**
 * The messages a client that read another replica's stream up to `sequence` missed: that stream's record
 * after it (from Redis), then this stream's messages from where that record stops covering, so nothing
 * falls between the two (at least once: an event in the overlap may come twice). Undefined when the record
 * is gone, belongs to another caller or operation, dropped something after `sequence`, or stops covering
 * before this stream's kept history begins: the client is told `reset`. While the other stream still runs
 * but has not covered past that point yet, it waits for its next heartbeats (at most a few).
 */
export async function resumeFromOtherReplica(o: OtherReplicaResume): Promise<string[] | undefined> {
  const deadline = Date.now() + 2 * o.shared.heartbeatMs + REPLICA_OVERLAP_MS;
  for (;;) {
    const recorded = await o.shared.read(o.token, o.key, o.sequence);
    if (!recorded) return undefined;
    const from = recorded.coveredAt - REPLICA_OVERLAP_MS;
    const local = o.buffer.keptSince(from);
    if (local.since <= from) return [...recorded.messages, ...local.messages];
    if (recorded.ended || Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, o.shared.heartbeatMs / 2));
  }
}
