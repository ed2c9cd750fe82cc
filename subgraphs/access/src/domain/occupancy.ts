/**
 * Capacity without a hot row. A series' capacity (and each category limit) is split over up to
 * MAX_SHARDS rows, each admitting at most its share; a scan takes a slot in one shard and keeps the
 * row locked only until it commits. Concurrent scans mostly lock different shards, so their commits
 * overlap instead of queueing behind one counter, and since no shard exceeds its share the sum never
 * exceeds the capacity.
 */
export const MAX_SHARDS = 16;

/** How many shards a capacity is split over: never more than it has places. */
export const shardCount = (capacity: number) => Math.max(0, Math.min(MAX_SHARDS, capacity));

/** Shard `index`'s share of `capacity`; the remainder goes to the first shards. */
export function shardCapacity(capacity: number, index: number): number {
  const shards = shardCount(capacity);
  if (index < 0 || index >= shards) return 0;
  return Math.floor(capacity / shards) + (index < capacity % shards ? 1 : 0);
}

/** The shard a wristband tries first: stable, so its scans spread evenly over the shards. */
export function preferredShard(wristbandId: string, shards: number): number {
  if (shards <= 0) return 0;
  // the uuid's last 8 hex digits are random (v4)
  return parseInt(wristbandId.replace(/-/g, '').slice(-8), 16) % shards;
}
