import type { AccessDb } from '../context';

export interface GateMetrics {
  gateId: string;
  entries: number;
  exits: number;
}

export interface CategoryMetrics {
  category: string;
  entries: number;
  exits: number;
  inside: number;
  /** null: the category has no limit of its own in this series */
  capacity: number | null;
  remaining: number | null;
}

export interface SeriesMetrics {
  seriesId: string;
  insideNow: number;
  capacity: number;
  capacityRemaining: number;
  entries: number;
  exits: number;
  gates: GateMetrics[];
  categories: CategoryMetrics[];
}

const add = <K extends string>(map: Map<K, { entries: number; exits: number; inside: number }>, key: K) =>
  map.get(key) ?? map.set(key, { entries: 0, exits: 0, inside: 0 }).get(key)!;

/**
 * A series' live numbers, read from the aggregates every allowed scan maintains (the occupancy
 * shards, the per gate and category counters): a few rows per gate and category, however many
 * check-ins there were.
 */
export async function loadSeriesMetrics(db: AccessDb, seriesId: string): Promise<SeriesMetrics | null> {
  const series = await db.eventSeries.findUnique({ where: { id: seriesId }, select: { capacity: true } });
  if (!series) return null;
  const occupied = await db.occupancyShard.aggregate({ where: { seriesId, pool: '' }, _sum: { inside: true } });
  const insideNow = occupied._sum.inside ?? 0;
  const counters = await db.seriesCounter.findMany({ where: { seriesId } });
  const limits = await db.seriesCategoryLimit.findMany({ where: { seriesId } });
  const byGate = new Map<string, { entries: number; exits: number; inside: number }>();
  const byCategory = new Map<string, { entries: number; exits: number; inside: number }>();
  for (const row of counters) {
    for (const total of [add(byGate, row.gateId), add(byCategory, row.category)]) {
      total.entries += row.entries;
      total.exits += row.exits;
      total.inside += row.inside;
    }
  }
  for (const limit of limits) add(byCategory, limit.category);
  const limitOf = new Map(limits.map((l) => [l.category, l.capacity]));
  const sum = (key: 'entries' | 'exits') => [...byGate.values()].reduce((n, g) => n + g[key], 0);
  return {
    seriesId,
    insideNow,
    capacity: series.capacity,
    capacityRemaining: Math.max(0, series.capacity - insideNow),
    entries: sum('entries'),
    exits: sum('exits'),
    gates: [...byGate].map(([gateId, g]) => ({ gateId, entries: g.entries, exits: g.exits })).sort(by('gateId')),
    categories: [...byCategory]
      .map(([category, c]) => {
        const capacity = limitOf.get(category) ?? null;
        return { category, ...c, capacity, remaining: capacity === null ? null : Math.max(0, capacity - c.inside) };
      })
      .sort(by('category')),
  };
}

/** per database: each series' metrics after the latest bus event that moved them */
const afterEvents = new WeakMap<AccessDb, Map<string, { eventId: string; metrics: Promise<SeriesMetrics | null> }>>();

/**
 * A series' metrics after one bus event (a scan), loaded once however many subscribers in this process
 * resolve that event: with a dozen dashboards on a gate, every scan would otherwise read them a dozen times.
 */
export function seriesMetricsAfter(db: AccessDb, seriesId: string, eventId: string): Promise<SeriesMetrics | null> {
  let latest = afterEvents.get(db);
  if (!latest) afterEvents.set(db, (latest = new Map()));
  const known = latest.get(seriesId);
  if (known?.eventId === eventId) return known.metrics;
  const metrics = loadSeriesMetrics(db, seriesId);
  // one entry per series with subscribers; the map only keeps the newest event of each
  latest.set(seriesId, { eventId, metrics });
  return metrics;
}

const by =
  <T>(key: keyof T) =>
  (a: T, b: T) =>
    String(a[key]).localeCompare(String(b[key]));
