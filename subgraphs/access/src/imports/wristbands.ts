import { DomainError } from '@eventgraph/runtime';
import type { AccessContext, AccessTx } from '../context';
import { parseCsv, type CsvItem } from '../domain/csv';
import {
  checkHeader,
  checkWristbandRow,
  recordByColumns,
  WRISTBAND_COLUMNS,
  WRISTBAND_REQUIRED,
  type ImportError,
  type WristbandRow,
} from '../domain/import-rows';
import {
  IMPORT_TRANSACTION_TIMEOUT_MS,
  ImportErrors,
  RollBack,
  SeriesCheck,
  seriesMessage,
  type ImportMode,
  type ImportTarget,
} from './common';

export interface WristbandImportReport {
  mode: ImportMode;
  /** false: nothing of the file was kept (all-or-nothing with errors) */
  committed: boolean;
  /** data rows read (the header aside) */
  rows: number;
  imported: number;
  failed: number;
  errors: ImportError[];
  errorsTruncated: boolean;
}

/** Rows per INSERT: one round trip per batch, well below Postgres' parameter and memory limits. */
const BATCH_SIZE = 2000;

type Write = (work: (tx: AccessTx) => Promise<void>) => Promise<void>;

/**
 * Reads CSV records one at a time and writes them in batches: one `INSERT … SELECT FROM unnest(arrays)
 * ON CONFLICT DO NOTHING RETURNING` per batch, so rows whose nfc id is taken (earlier in the file or
 * before the import) come back as the ones not inserted. Only the current batch is in memory.
 */
class WristbandBatches {
  rows = 0;
  imported = 0;
  readonly errors = new ImportErrors();
  private batch: Array<WristbandRow & { line: number }> = [];
  /** nfc id → line, within the batch (the database sees earlier batches) */
  private batchLines = new Map<string, number>();

  constructor(
    private readonly target: ImportTarget,
    private readonly series: SeriesCheck,
    private readonly write: Write,
    /** rows created at or after this instant were created by this import */
    private readonly since: string,
  ) {}

  async consume(items: AsyncIterable<CsvItem>): Promise<void> {
    let columns: string[] | null = null;
    for await (const item of items) {
      if (!columns) {
        if ('error' in item) throw new DomainError('MALFORMED_HEADER', `line ${item.line}: ${item.error}`, { field: 'header' });
        const header = checkHeader(item.fields, WRISTBAND_REQUIRED, WRISTBAND_COLUMNS);
        if (!header.ok) throw new DomainError('MALFORMED_HEADER', header.message, { field: 'header' });
        columns = header.columns;
        continue;
      }
      this.rows++;
      if ('error' in item) {
        this.errors.add(item.line, 'MALFORMED_ROW', null, item.error);
        continue;
      }
      const record = recordByColumns(columns, item.fields);
      const checked = record.ok ? checkWristbandRow(record.row) : record;
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
      const earlier = this.batchLines.get(row.nfcId);
      if (earlier !== undefined) {
        this.errors.add(
          item.line,
          'DUPLICATE_NFC_ID',
          'nfc_id',
          `nfc id ${row.nfcId} appears earlier in this file (line ${earlier})`,
        );
        continue;
      }
      this.batchLines.set(row.nfcId, item.line);
      this.batch.push({ ...row, line: item.line });
      if (this.batch.length >= BATCH_SIZE) await this.flush();
    }
    if (!columns)
      throw new DomainError('MALFORMED_HEADER', `the file is empty: expected the header ${WRISTBAND_COLUMNS.join(',')}`, {
        field: 'header',
      });
    await this.flush();
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    if (!batch.length) return;
    this.batch = [];
    this.batchLines = new Map();
    const { eventId, organizationId } = this.target;
    await this.write(async (tx) => {
      const inserted = await tx.$queryRawUnsafe<Array<{ id: string; nfcId: string }>>(
        `INSERT INTO "Wristband" ("id", "organizationId", "eventId", "nfcId", "category")
         SELECT gen_random_uuid(), $1::uuid, $2::uuid, t.nfc, t.category FROM unnest($3::text[], $4::text[]) AS t(nfc, category)
         ON CONFLICT ("eventId", "nfcId") DO NOTHING RETURNING "id", "nfcId"`,
        organizationId,
        eventId,
        batch.map((r) => r.nfcId),
        batch.map((r) => r.category),
      );
      const ids = new Map(inserted.map((r) => [r.nfcId, r.id]));
      const taken = batch.filter((r) => !ids.has(r.nfcId));
      if (taken.length) await this.reportTaken(tx, taken);
      const wristbandIds: string[] = [];
      const seriesIds: string[] = [];
      for (const row of batch) {
        const id = ids.get(row.nfcId);
        if (!id) continue;
        for (const seriesId of row.seriesIds) {
          wristbandIds.push(id);
          seriesIds.push(seriesId);
        }
      }
      if (wristbandIds.length)
        await tx.$executeRawUnsafe(
          `INSERT INTO "WristbandAssignment" ("wristbandId", "seriesId")
           SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`,
          wristbandIds,
          seriesIds,
        );
      this.imported += inserted.length;
    });
  }

  private async reportTaken(tx: AccessTx, rows: Array<WristbandRow & { line: number }>) {
    const found = await tx.$queryRawUnsafe<Array<{ nfcId: string; mine: boolean }>>(
      `SELECT "nfcId", "createdAt" >= $3::timestamptz AS mine FROM "Wristband" WHERE "eventId" = $1::uuid AND "nfcId" = ANY($2::text[])`,
      this.target.eventId,
      rows.map((r) => r.nfcId),
      this.since,
    );
    const mine = new Map(found.map((f) => [f.nfcId, f.mine]));
    for (const row of rows)
      this.errors.add(
        row.line,
        'DUPLICATE_NFC_ID',
        'nfc_id',
        mine.get(row.nfcId)
          ? `nfc id ${row.nfcId} appears earlier in this file`
          : `a wristband with nfc id ${row.nfcId} already exists for this event`,
      );
  }

  report(mode: ImportMode, committed: boolean): WristbandImportReport {
    return {
      mode,
      committed,
      rows: this.rows,
      imported: committed ? this.imported : 0,
      failed: this.errors.failedRows,
      errors: this.errors.sorted(),
      errorsTruncated: this.errors.truncated,
    };
  }
}

// createdAt keeps milliseconds; one less makes "created by this import" safe against rounding
const SINCE_SQL = `SELECT to_char((date_trunc('milliseconds', %s) - interval '1 millisecond') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS since`;
export async function importStart(db: { $queryRawUnsafe<T>(sql: string): Promise<T> }, inTransaction: boolean): Promise<string> {
  const [row] = await db.$queryRawUnsafe<Array<{ since: string }>>(
    SINCE_SQL.replace('%s', inTransaction ? 'now()' : 'clock_timestamp()'),
  );
  return row!.since;
}

/**
 * Imports wristbands from CSV (`nfc_id,category[,series]`, series as `;`-separated ids) into one event.
 * PARTIAL: valid rows are imported, each batch committed as it is written; ALL_OR_NOTHING: one transaction,
 * rolled back if any row fails (the report then lists the errors and says nothing was imported).
 * One `wristbands.imported` bus event announces what was committed.
 */
export async function importWristbands(
  ctx: AccessContext,
  target: ImportTarget,
  input: AsyncIterable<string | Uint8Array>,
  mode: ImportMode,
): Promise<WristbandImportReport> {
  const announcement = (report: WristbandImportReport) => ({
    ...target,
    mode,
    imported: report.imported,
    failed: report.failed,
  });
  if (mode === 'PARTIAL') {
    const batches = new WristbandBatches(
      target,
      await SeriesCheck.of(ctx.db, target),
      async (work) => ctx.db.$transaction(work),
      await importStart(ctx.db, false),
    );
    await batches.consume(parseCsv(input));
    const report = batches.report(mode, true);
    if (report.imported > 0) await ctx.transact((_tx, announce) => announce('wristbands.imported', announcement(report)));
    return report;
  }
  let rolledBack: WristbandImportReport | undefined;
  try {
    return await ctx.transact(
      async (tx, announce) => {
        const batches = new WristbandBatches(
          target,
          await SeriesCheck.of(tx, target),
          (work) => work(tx),
          await importStart(tx, true),
        );
        await batches.consume(parseCsv(input));
        if (batches.errors.failedRows > 0) {
          rolledBack = batches.report(mode, false);
          throw new RollBack();
        }
        const report = batches.report(mode, true);
        await announce('wristbands.imported', announcement(report));
        return report;
      },
      { timeoutMs: IMPORT_TRANSACTION_TIMEOUT_MS },
    );
  } catch (err) {
    if (err instanceof RollBack && rolledBack) return rolledBack;
    throw err;
  }
}
