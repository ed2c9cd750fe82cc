import DataLoader from 'dataloader';

/**
 * A per-request loader that fetches many rows by id in one query and hands each
 * caller its own row (or null), so entity references and nested fields cost one
 * query per type per request instead of one per item.
 */
export function loaderById<T extends { id: string }>(
  fetchMany: (ids: readonly string[]) => Promise<T[]>,
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await fetchMany(ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** Like loaderById, for one-to-many: every key gets the (possibly empty) list of rows pointing at it. */
export function loaderByParent<T>(
  fetchMany: (parentIds: readonly string[]) => Promise<T[]>,
  parentOf: (row: T) => string,
): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (parentIds) => {
    const rows = await fetchMany(parentIds);
    const groups = new Map<string, T[]>();
    for (const row of rows) {
      const key = parentOf(row);
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    return parentIds.map((id) => groups.get(id) ?? []);
  });
}

/**
 * Forgets everything a context's loaders have cached. A subscription keeps one
 * context for its whole life, so it calls this before resolving each event:
 * every event then reads current data.
 */
export function clearLoaders(loaders: Record<string, { clearAll(): unknown }>): void {
  for (const loader of Object.values(loaders)) loader.clearAll();
}
