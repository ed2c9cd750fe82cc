import { randomBytes } from 'node:crypto';
import type { Announce, SqlTransaction } from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import type { ImportErrorCode } from '../domain/import-rows';
import { ImportErrors, MAX_REPORTED_ERRORS, type ImportItem, type ImportTarget } from './common';
import type { ProgressMeter } from './progress';

/**
 * What the COPY imports on a PostgreSQL server share (wristband-copy.ts, ticket-copy.ts): the accepted rows
 * stream into a temporary staging table (`"n"`, the row's place in the file, unique — JSON items may share a
 * line —, `"line"`, the row's columns, `"seriesIds" uuid[]`, and `"problem"` / `"detail"` for what the
 * set-based checks find), all in one transaction. Memory holds one COPY chunk and at
 * most MAX_REPORTED_ERRORS errors, whatever the file.
 */

/** Characters of COPY text per write: large enough that per-write costs vanish, small next to the socket's buffer. */
const COPY_CHUNK = 64 * 1024;

/** The series ids a file names, while there are few: when all are the event's, no row needs a series check. */
export class SeriesNamed {
  readonly ids = new Set<string>();
  /** more than MAX_TRACKED distinct ids: only the set-based check can tell */
  many = false;
  private static readonly MAX_TRACKED = 1000;

  add(ids: string[]): void {
    if (this.many || ids.length === 0) return;
    for (const id of ids) this.ids.add(id);
    if (this.ids.size > SeriesNamed.MAX_TRACKED) {
      this.many = true;
      this.ids.clear();
    }
  }
}

/**
 * The items as COPY text, in chunks: `row(n, item)` gives the text of the file's n-th item (ending in a newline),
 * or null when the domain refused it, which it reports to `errors` itself; unreadable items are MALFORMED_ROW.
 */
export async function* copyLines(
  items: AsyncIterable<ImportItem>,
  errors: ImportErrors,
  row: (n: number, item: { line: number; value: unknown }) => string | null,
): AsyncGenerator<string> {
  let chunk = '';
  let n = 0;
  for await (const item of items) {
    n++;
    if ('error' in item) {
      errors.add(item.line, 'MALFORMED_ROW', null, item.error);
      continue;
    }
    const text = row(n, item);
    if (text === null) continue;
    chunk += text;
    if (chunk.length >= COPY_CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** A row's first series that is not one of the event's: another organisation's is as unknown as none. */
const markSeries = (table: string) => `UPDATE ${table} s SET "problem" = b.code, "detail" = b.id::text
FROM (
  SELECT DISTINCT ON (i."n") i."n", x.id,
         CASE WHEN e."organizationId" = $2::uuid THEN 'SERIES_OF_OTHER_EVENT' ELSE 'UNKNOWN_SERIES' END AS code
    FROM ${table} i
   CROSS JOIN LATERAL unnest(i."seriesIds") WITH ORDINALITY AS x(id, ord)
    LEFT JOIN "EventSeries" e ON e."id" = x.id
   WHERE e."eventId" IS DISTINCT FROM $1::uuid
   ORDER BY i."n", x.ord
) b
WHERE s."n" = b."n"`;

/** Repeats of `key` within the file among the rows still valid (detail: the line that has it first); only repeated keys are sorted. */
export const markRepeated = (table: string, key: string, code: ImportErrorCode) => `UPDATE ${table} s
   SET "problem" = '${code}', "detail" = r.first::text
FROM (
  SELECT i."n", first_value(i."line") OVER w AS first, i."n" <> first_value(i."n") OVER w AS later
    FROM ${table} i
   WHERE i."problem" IS NULL
     AND i."${key}" IN (SELECT "${key}" FROM ${table} WHERE "problem" IS NULL GROUP BY "${key}" HAVING count(*) > 1)
  WINDOW w AS (PARTITION BY i."${key}" ORDER BY i."n")
) r
WHERE s."n" = r."n" AND r.later`;

/** Marks the rows naming a series that is not the event's, unless every series the file named is; returns how many. */
export async function checkSeries(tx: SqlTransaction, table: string, target: ImportTarget, named: SeriesNamed): Promise<number> {
  const own = await tx.query<{ id: string }>(`SELECT "id" FROM "EventSeries" WHERE "eventId" = $1::uuid`, [target.eventId]);
  const ownIds = new Set(own.map((s) => s.id));
  if (!named.many && [...named.ids].every((id) => ownIds.has(id))) return 0;
  return tx.execute(markSeries(table), [target.eventId, target.organizationId]);
}

export interface StagedProblem {
  line: number;
  problem: ImportErrorCode;
  /** the row's unique key (nfc id, external id) */
  key: string;
  detail: string | null;
}

/** Adds the `refused` rows the checks marked to `errors`: the first MAX_REPORTED_ERRORS by line listed, the rest counted. */
export async function reportProblems(
  tx: SqlTransaction,
  table: string,
  key: string,
  refused: number,
  errors: ImportErrors,
  describe: (p: StagedProblem) => [field: string, message: string],
): Promise<void> {
  if (refused === 0) return;
  const problems = await tx.query<StagedProblem>(
    `SELECT "line", "problem", "${key}" AS "key", "detail" FROM ${table}
      WHERE "problem" IS NOT NULL ORDER BY "n" LIMIT ${MAX_REPORTED_ERRORS}`,
  );
  for (const p of problems) {
    const [field, message] =
      p.problem === 'UNKNOWN_SERIES'
        ? ['series', `series ${p.detail} was not found`]
        : p.problem === 'SERIES_OF_OTHER_EVENT'
          ? ['series', `series ${p.detail} belongs to another event`]
          : describe(p);
    errors.add(p.line, p.problem, field, message);
  }
  errors.failedRows += refused - problems.length;
}

/** Thrown to roll the import's transaction back once its report is ready. */
class RolledBack<R> extends Error {
  constructor(readonly report: R) {
    super('import rolled back');
  }
}

/**
 * Runs a staged import in one plain-SQL transaction: `work` stages, checks and writes, and may `rollBack`
 * with a report (all or nothing with errors). Progress stops when it ends, however it ends.
 */
export async function inOneTransaction<R>(
  ctx: AccessContext,
  meter: ProgressMeter,
  work: (tx: SqlTransaction, announce: Announce, rollBack: (report: R) => never) => Promise<R>,
): Promise<R> {
  const rollBack = (report: R): never => {
    throw new RolledBack(report);
  };
  try {
    return await ctx.transactSql(async (tx, announce) => {
      // the checks hash a million staged keys: in memory, not in batches spilled to disk (this transaction only)
      await tx.execute(`SET LOCAL work_mem = '64MB'`);
      return work(tx, announce, rollBack);
    });
  } catch (err) {
    if (err instanceof RolledBack) return err.report as R;
    throw err;
  } finally {
    meter.done();
  }
}

/**
 * Ids for the rows of one import that follow each other, so the primary key's index (and every foreign key
 * check against it) grows at its right edge instead of all over: UUIDv7 (RFC 9562) with the import's start as
 * the timestamp, 22 random bits, and the row's place in the file in the last 48 bits as the counter.
 */
export function sequentialIds(): (n: number) => string {
  const ms = Date.now().toString(16).padStart(12, '0');
  const random = randomBytes(3).toString('hex');
  const prefix = `${ms.slice(0, 8)}-${ms.slice(8)}-7${random.slice(0, 3)}-${((parseInt(random[3]!, 16) & 0x3) | 0x8).toString(16)}${random.slice(4)}`;
  return (n) => `${prefix}0-${n.toString(16).padStart(12, '0')}`;
}
