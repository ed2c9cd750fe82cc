import { DomainError } from '@eventgraph/runtime';
import type { AccessContext, AccessDb, AccessTx } from '../context';
import { parseCsv } from '../domain/csv';
import { checkHeader, recordByColumns, type ImportError, type ImportErrorCode, type RowCheck } from '../domain/import-rows';
import { eventToChange } from '../known-events';

/** Errors kept for the report; beyond this, they are only counted. */
export const MAX_REPORTED_ERRORS = 1000;
/** An all-or-nothing import is one transaction: long enough for a million rows on a slow disk. */
const IMPORT_TRANSACTION_TIMEOUT_MS = 60 * 60 * 1000;

export type ImportMode = 'PARTIAL' | 'ALL_OR_NOTHING';

/**
 * Counts every failed row, keeps the MAX_REPORTED_ERRORS first by line: memory stays bounded whatever the file,
 * and errors found after the file was read (set-based, on PostgreSQL) still take the place of later lines.
 */
export class ImportErrors {
  readonly list: ImportError[] = [];
  failedRows = 0;
  /** index in `list` of the kept error with the highest line, once the list is full */
  private latest = -1;

  add(line: number, code: ImportErrorCode, field: string | null, message: string): void {
    this.failedRows++;
    if (this.list.length < MAX_REPORTED_ERRORS) {
      this.list.push({ line, code, field, message });
      return;
    }
    if (this.latest < 0) this.latest = this.findLatest();
    if (line >= this.list[this.latest]!.line) return;
    this.list[this.latest] = { line, code, field, message };
    this.latest = this.findLatest();
  }

  private findLatest(): number {
    let at = 0;
    for (let i = 1; i < this.list.length; i++) if (this.list[i]!.line > this.list[at]!.line) at = i;
    return at;
  }

  /** the kept errors in file order (duplicates are found when their batch is written, after later rows were read) */
  sorted(): ImportError[] {
    return [...this.list].sort((a, b) => a.line - b.line);
  }

  get truncated(): boolean {
    return this.failedRows > this.list.length;
  }
}

export interface ImportTarget {
  eventId: string;
  organizationId: string;
}

/** The event an import writes to, for a caller who may assign its wristbands (NOT_FOUND for other organisations). */
export async function importTarget(ctx: AccessContext, eventId: string): Promise<ImportTarget> {
  const event = await eventToChange(ctx.db, ctx.principal, eventId, 'wristbands.assign');
  return { eventId, organizationId: event.organizationId };
}

/**
 * Checks series ids named by rows: the event's own series are known up front; any other id is looked up
 * once (a bounded cache). A series of another organisation is as unknown as one that does not exist.
 */
export class SeriesCheck {
  private readonly others = new Map<string, 'UNKNOWN_SERIES' | 'SERIES_OF_OTHER_EVENT'>();

  private constructor(
    private readonly db: AccessDb | AccessTx,
    private readonly target: ImportTarget,
    private readonly own: Set<string>,
  ) {}

  static async of(db: AccessDb | AccessTx, target: ImportTarget): Promise<SeriesCheck> {
    const series = await db.eventSeries.findMany({ where: { eventId: target.eventId }, select: { id: true } });
    return new SeriesCheck(db, target, new Set(series.map((s) => s.id)));
  }

  /** The first problem among `ids`, if any. */
  async problem(ids: string[]): Promise<{ code: 'UNKNOWN_SERIES' | 'SERIES_OF_OTHER_EVENT'; id: string } | null> {
    for (const id of ids) {
      if (this.own.has(id)) continue;
      let code = this.others.get(id);
      if (!code) {
        const found = await this.db.eventSeries.findUnique({ where: { id }, select: { organizationId: true } });
        code = found?.organizationId === this.target.organizationId ? 'SERIES_OF_OTHER_EVENT' : 'UNKNOWN_SERIES';
        if (this.others.size < 1000) this.others.set(id, code);
      }
      return { code, id };
    }
    return null;
  }
}

export const seriesMessage = (problem: { code: string; id: string }) =>
  problem.code === 'UNKNOWN_SERIES' ? `series ${problem.id} was not found` : `series ${problem.id} belongs to another event`;

/** Thrown inside an all-or-nothing transaction to roll it back once the report is ready. */
class RollBack extends Error {
  constructor() {
    super('import rolled back');
  }
}

/** A row of an import file: a value to check, or a line that could not be read. */
export type ImportItem = { line: number; value: unknown } | { line: number; error: string };

/**
 * A CSV file's data rows as records keyed by its header's columns. A missing or bad header stops the
 * import (MALFORMED_HEADER); a row with the wrong number of fields is an unreadable line.
 */
export async function* csvRecords(
  input: AsyncIterable<string | Uint8Array>,
  required: readonly string[],
  allowed: readonly string[],
): AsyncGenerator<ImportItem> {
  let columns: string[] | null = null;
  for await (const item of parseCsv(input)) {
    if (!columns) {
      if ('error' in item) throw new DomainError('MALFORMED_HEADER', `line ${item.line}: ${item.error}`, { field: 'header' });
      const header = checkHeader(item.fields, required, allowed);
      if (!header.ok) throw new DomainError('MALFORMED_HEADER', header.message, { field: 'header' });
      columns = header.columns;
      continue;
    }
    if ('error' in item) {
      yield item;
      continue;
    }
    const record = recordByColumns(columns, item.fields);
    yield record.ok ? { line: item.line, value: record.row } : { line: item.line, error: record.error.message };
  }
  if (!columns)
    throw new DomainError('MALFORMED_HEADER', `the file is empty: expected the header ${allowed.join(',')}`, {
      field: 'header',
    });
}

/** Runs one batch's writes: in a transaction of its own (partial), or in the import's one (all or nothing). */
export type Write = (work: (tx: AccessTx) => Promise<void>) => Promise<void>;

/**
 * The loop every import shares: counts rows, reports unreadable and invalid ones and unknown series,
 * refuses a key repeated within the batch (earlier batches are the writer's to find), and writes
 * batches of `batchSize`, so only one batch is ever in memory.
 */
export abstract class ImportBatches<Row extends { seriesIds: string[] }> {
  rows = 0;
  readonly errors = new ImportErrors();
  private batch: Array<Row & { line: number }> = [];
  /** key → line, within the batch */
  private batchLines = new Map<string, number>();

  constructor(
    protected readonly target: ImportTarget,
    private readonly series: SeriesCheck,
    private readonly write: Write,
    private readonly batchSize: number,
  ) {}

  protected abstract check(value: unknown): RowCheck<Row>;
  /** what a file may hold once: the key, and how a repeat is reported */
  protected abstract readonly unique: { key(row: Row): string; code: ImportErrorCode; field: string; name(row: Row): string };
  protected abstract writeBatch(tx: AccessTx, batch: Array<Row & { line: number }>): Promise<void>;

  async consume(items: AsyncIterable<ImportItem>): Promise<void> {
    for await (const item of items) {
      this.rows++;
      if ('error' in item) {
        this.errors.add(item.line, 'MALFORMED_ROW', null, item.error);
        continue;
      }
      const checked = this.check(item.value);
      if (!checked.ok) {
        this.errors.add(item.line, checked.error.code, checked.error.field, checked.error.message);
        continue;
      }
      const row = checked.row;
      const problem = await this.series.problem(row.seriesIds);
      if (problem) {
        this.errors.add(item.line, problem.code, 'series', seriesMessage(problem));
        continue;
      }
      const key = this.unique.key(row);
      const earlier = this.batchLines.get(key);
      if (earlier !== undefined) {
        this.errors.add(
          item.line,
          this.unique.code,
          this.unique.field,
          `${this.unique.name(row)} appears earlier in this file (line ${earlier})`,
        );
        continue;
      }
      this.batchLines.set(key, item.line);
      this.batch.push({ ...row, line: item.line });
      if (this.batch.length >= this.batchSize) await this.flush();
    }
    await this.flush();
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    if (!batch.length) return;
    this.batch = [];
    this.batchLines = new Map();
    await this.write((tx) => this.writeBatch(tx, batch));
  }
}

/** An import's batches as the runner sees them. */
export interface ImportProgress<R> {
  readonly errors: ImportErrors;
  consume(items: AsyncIterable<ImportItem>): Promise<void>;
  report(mode: ImportMode, committed: boolean): R;
}

export interface ImportRun<R> {
  /** the batches of this import, reading through `db` (the import's transaction, if all or nothing) */
  batches(db: AccessDb | AccessTx, write: Write, inTransaction: boolean): Promise<ImportProgress<R>>;
  items: AsyncIterable<ImportItem>;
  topic: string;
  /** what the bus event says of a committed import; null when it wrote nothing */
  announcement(report: R): Record<string, unknown> | null;
}

/**
 * PARTIAL: valid rows are written, each batch committed as it is written; ALL_OR_NOTHING: one
 * transaction, rolled back if any row fails (the report then lists the errors and says nothing was
 * kept). One bus event announces what was committed.
 */
export async function runImport<R>(ctx: AccessContext, mode: ImportMode, run: ImportRun<R>): Promise<R> {
  if (mode === 'PARTIAL') {
    const batches = await run.batches(ctx.db, (work) => ctx.db.$transaction(work), false);
    await batches.consume(run.items);
    const report = batches.report(mode, true);
    const said = run.announcement(report);
    if (said) await ctx.transact((_tx, announce) => announce(run.topic, said));
    return report;
  }
  let rolledBack: R | undefined;
  try {
    return await ctx.transact(
      async (tx, announce) => {
        const batches = await run.batches(tx, (work) => work(tx), true);
        await batches.consume(run.items);
        if (batches.errors.failedRows > 0) {
          rolledBack = batches.report(mode, false);
          throw new RollBack();
        }
        const report = batches.report(mode, true);
        const said = run.announcement(report);
        if (said) await announce(run.topic, said);
        return report;
      },
      { timeoutMs: IMPORT_TRANSACTION_TIMEOUT_MS },
    );
  } catch (err) {
    if (err instanceof RollBack && rolledBack) return rolledBack;
    throw err;
  }
}
