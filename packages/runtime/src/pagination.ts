import { badInput } from './errors';

/**
 * One paging convention for every list of the API (Relay connections): `first` (1..100, default 20) and `after`, an
 * opaque cursor of the last row's (sort key, id). A list is read in a fixed order of (key, id) and the next page
 * starts strictly after the cursor's pair (keyset paging), so pages hold still while rows arrive or leave. The
 * Pothos types that show a `Connection` are built per subgraph (`src/schema/connection.ts`); this file knows no
 * builder and no database.
 */
export const PAGE_SIZE = { default: 20, max: 100 } as const;

/** `first`, checked: a whole number 1..PAGE_SIZE.max; absent means PAGE_SIZE.default. */
export function pageSize(first: number | null | undefined, field = 'first'): number {
  const size = first ?? PAGE_SIZE.default;
  if (!Number.isInteger(size) || size < 1 || size > PAGE_SIZE.max) {
    throw badInput(field, `must be between 1 and ${PAGE_SIZE.max}`);
  }
  return size;
}

/** What a sort key is: an instant, a number, or text (an nfc id, a name). */
export type CursorKeyKind = 'time' | 'number' | 'text';
type KeyOf<K extends CursorKeyKind> = K extends 'time' ? Date : K extends 'number' ? number : string;

/** A decoded cursor: the last row's sort key and id. */
export interface Cursor<K extends CursorKeyKind = CursorKeyKind> {
  key: KeyOf<K>;
  id: string;
}

const VERSION = 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The cursor of a row. `scope` names the list's order when one field can be read in several (a search's sort): a
 * cursor of one order is refused by another instead of silently skipping rows.
 */
export function encodeCursor(key: Date | number | string, id: string, scope = ''): string {
  const value = key instanceof Date ? key.toISOString() : key;
  return Buffer.from(JSON.stringify([VERSION, scope, value, id]), 'utf8').toString('base64url');
}

/** Reads `after` for a list ordered by a key of `kind` (and `scope`); anything else is BAD_USER_INPUT naming `field`. */
export function decodeCursor<K extends CursorKeyKind>(after: string, kind: K, scope = '', field = 'after'): Cursor<K> {
  const refuse = (why = 'is not a cursor of this list') => badInput(field, why);
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(after)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== VERSION) throw refuse();
  const [, cursorScope, raw, id] = parsed as [number, unknown, unknown, unknown];
  if (cursorScope !== scope)
    throw refuse(`is a cursor of another order (${String(cursorScope) || 'default'}), not ${scope || 'this one'}`);
  if (typeof id !== 'string' || !UUID.test(id)) throw refuse();
  return { key: readKey(kind, raw, refuse) as KeyOf<K>, id };
}

function readKey(kind: CursorKeyKind, raw: unknown, refuse: () => Error): Date | number | string {
  if (kind === 'time') {
    const at = typeof raw === 'string' ? new Date(raw) : null;
    if (!at || Number.isNaN(at.getTime())) throw refuse();
    return at;
  }
  if (kind === 'number') {
    if (typeof raw !== 'number' || !Number.isFinite(raw)) throw refuse();
    return raw;
  }
  if (typeof raw !== 'string') throw refuse();
  return raw;
}

/**
 * The rows after `cursor` in an order of (`keyField`, `idField`), as a Prisma-style `where` fragment to AND with
 * the list's filters: `asc` lists continue with larger pairs, `desc` lists with smaller ones. `idField` is the
 * column that tells rows with the same key apart (the id, or the other half of a composite key).
 */
export function afterWhere(keyField: string, cursor: Cursor, order: 'asc' | 'desc' = 'asc', idField = 'id'): { OR: object[] } {
  const past = order === 'asc' ? 'gt' : 'lt';
  return { OR: [{ [keyField]: { [past]: cursor.key } }, { [keyField]: cursor.key, [idField]: { [past]: cursor.id } }] };
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** A page of a list; `totalCount` runs its count (once) only when a client asks for it. */
export interface Connection<E extends { cursor: string }> {
  edges: E[];
  pageInfo: PageInfo;
  totalCount: () => Promise<number>;
  /** on lists that may estimate a count too large to make (a search): whether `totalCount` is such an estimate */
  totalCountIsEstimate?: () => Promise<boolean>;
}

/** The size of a list: exact, or an estimate (e.g. the query planner's) flagged as one. */
export interface ListCount {
  value: number;
  estimate: boolean;
}

/** A connection's totalCount and totalCountIsEstimate from one count, made once and only when either is asked for. */
export function estimatedCount(
  count: () => Promise<ListCount>,
): Required<Pick<Connection<{ cursor: string }>, 'totalCount' | 'totalCountIsEstimate'>> {
  let result: Promise<ListCount> | undefined;
  const once = () => (result ??= Promise.resolve().then(count));
  return { totalCount: () => once().then((c) => c.value), totalCountIsEstimate: () => once().then((c) => c.estimate) };
}

/** Memoised, so a count selected twice (aliases) runs once. */
export function lazyCount(count: () => Promise<number> | number): () => Promise<number> {
  let result: Promise<number> | undefined;
  return () => (result ??= Promise.resolve().then(count));
}

/** Edges as they are, with the page info they imply (`hasNextPage` comes from reading one row more than asked). */
export function connectionOf<E extends { cursor: string }>(
  edges: E[],
  hasNextPage: boolean,
  after: string | null | undefined,
  count: () => Promise<number> | number,
): Connection<E> {
  return {
    edges,
    pageInfo: {
      hasNextPage,
      // forward paging: there is a page before exactly when the client passed a cursor (Relay allows this answer)
      hasPreviousPage: after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: lazyCount(count),
  };
}

/**
 * A page from rows read with one more than asked (`first + 1`): `cursorOf` gives each row's cursor, `count` the
 * size of the whole list (its filters without the cursor).
 */
export function pageOf<T>(
  rows: T[],
  first: number,
  options: { after?: string | null; cursorOf: (row: T) => string; count: () => Promise<number> | number },
): Connection<Edge<T>> {
  const edges = rows.slice(0, first).map((node) => ({ cursor: options.cursorOf(node), node }));
  return connectionOf(edges, rows.length > first, options.after, options.count);
}

/** An empty page (a list the caller may not read, shown as empty rather than as an error). */
export const emptyConnection = <T>(): Connection<Edge<T>> => connectionOf<Edge<T>>([], false, null, () => 0);
