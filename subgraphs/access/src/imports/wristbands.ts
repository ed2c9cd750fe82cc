import type { AccessContext, AccessTx } from '../context';
import {
  checkWristbandRow,
  WRISTBAND_COLUMNS,
  WRISTBAND_REQUIRED,
  type ImportError,
  type WristbandRow,
} from '../domain/import-rows';
import { csvRecords, ImportBatches, runImport, SeriesCheck, type ImportMode, type ImportTarget, type Write } from './common';
import { ProgressMeter, type OnProgress } from './progress';
import { copyWristbands } from './wristband-copy';

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

/**
 * Reads CSV records one at a time and writes them in batches: one `INSERT … SELECT FROM unnest(arrays)
 * ON CONFLICT DO NOTHING RETURNING` per batch, so rows whose nfc id is taken (earlier in the file or
 * before the import) come back as the ones not inserted. Only the current batch is in memory.
 */
class WristbandBatches extends ImportBatches<WristbandRow> {
  imported = 0;
  protected readonly unique = {
    key: (row: WristbandRow) => row.nfcId,
    code: 'DUPLICATE_NFC_ID' as const,
    field: 'nfc_id',
    name: (row: WristbandRow) => `nfc id ${row.nfcId}`,
  };

  constructor(
    target: ImportTarget,
    series: SeriesCheck,
    write: Write,
    /** rows created at or after this instant were created by this import */
    private readonly since: string,
  ) {
    super(target, series, write, BATCH_SIZE);
  }

  protected check(value: unknown) {
    return checkWristbandRow(value as Record<string, string>);
  }

  protected async writeBatch(tx: AccessTx, batch: Array<WristbandRow & { line: number }>): Promise<void> {
    const { eventId, organizationId } = this.target;
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
 * Imports wristbands from CSV (`nfc_id,category[,series]`, series as `;`-separated ids) into one event,
 * partially or all or nothing; `wristbands.imported` announces what was committed. On a PostgreSQL server
 * the rows stream through COPY (wristband-copy.ts); on PGlite they are written in batches (runImport).
 * `onProgress` hears of the bytes and rows read while it runs.
 */
export function importWristbands(
  ctx: AccessContext,
  target: ImportTarget,
  input: AsyncIterable<string | Uint8Array>,
  mode: ImportMode,
  onProgress?: OnProgress,
): Promise<WristbandImportReport> {
  const meter = new ProgressMeter(onProgress);
  const items = csvRecords(meter.body(input), WRISTBAND_REQUIRED, WRISTBAND_COLUMNS);
  if (ctx.sql.canCopy) return copyWristbands(ctx, target, items, mode, meter);
  return runImport(ctx, mode, {
    batches: async (db, write, inTransaction) =>
      new WristbandBatches(target, await SeriesCheck.of(db, target), write, await importStart(db, inTransaction)),
    items: meter.items(items),
    topic: 'wristbands.imported',
    announcement: (report) =>
      report.imported > 0 ? { ...target, mode, imported: report.imported, failed: report.failed } : null,
  });
}
