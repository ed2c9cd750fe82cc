import { copyText } from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { checkWristbandRow } from '../domain/import-rows';
import { ImportErrors, type ImportItem, type ImportMode, type ImportTarget } from './common';
import type { ProgressMeter } from './progress';
import {
  checkSeries,
  copyLines,
  inOneTransaction,
  markRepeated,
  reportProblems,
  sequentialIds,
  SeriesNamed,
  type StagedProblem,
} from './staging';
import type { WristbandImportReport } from './wristbands';

/**
 * Wristband imports on a PostgreSQL server: the rows the domain accepts stream through COPY into a temporary
 * staging table of the import's transaction (staging.ts), then a few set-based statements find the rows that
 * fail (unknown series, nfc ids taken or repeated) and plain INSERTs write the rest with their series
 * assignments. Both modes are one transaction: an interrupted import writes nothing; PARTIAL commits the
 * valid rows, ALL_OR_NOTHING only a file without errors.
 */

const STAGING = `CREATE TEMP TABLE import_wristband (
  "n" integer NOT NULL,
  "line" integer NOT NULL,
  "id" uuid NOT NULL,
  "nfcId" text NOT NULL,
  "category" text NOT NULL,
  "seriesIds" uuid[] NOT NULL,
  "problem" text,
  "detail" text
) ON COMMIT DROP`;

const COPY = `COPY import_wristband ("n", "line", "id", "nfcId", "category", "seriesIds") FROM STDIN`;

/** Rows whose nfc id the event's wristbands already have (detail null). */
const MARK_TAKEN = `UPDATE import_wristband s SET "problem" = 'DUPLICATE_NFC_ID'
  FROM "Wristband" w
 WHERE w."eventId" = $1::uuid AND w."nfcId" = s."nfcId" AND s."problem" IS NULL`;

const INSERT_WRISTBANDS = `INSERT INTO "Wristband" ("id", "organizationId", "eventId", "nfcId", "category")
SELECT "id", $2::uuid, $1::uuid, "nfcId", "category" FROM import_wristband WHERE "problem" IS NULL`;

const INSERT_ASSIGNMENTS = `INSERT INTO "WristbandAssignment" ("wristbandId", "seriesId")
SELECT i."id", x.id FROM import_wristband i CROSS JOIN LATERAL unnest(i."seriesIds") AS x(id) WHERE i."problem" IS NULL`;

const describe = (p: StagedProblem): [string, string] =>
  p.detail === null
    ? ['nfc_id', `a wristband with nfc id ${p.key} already exists for this event`]
    : ['nfc_id', `nfc id ${p.key} appears earlier in this file (line ${p.detail})`];

export function copyWristbands(
  ctx: AccessContext,
  target: ImportTarget,
  items: AsyncIterable<ImportItem>,
  mode: ImportMode,
  meter: ProgressMeter,
): Promise<WristbandImportReport> {
  const errors = new ImportErrors();
  const report = (imported: number, committed: boolean): WristbandImportReport => ({
    mode,
    committed,
    rows: meter.rows,
    imported,
    failed: errors.failedRows,
    errors: errors.sorted(),
    errorsTruncated: errors.truncated,
  });
  const named = new SeriesNamed();
  const idOf = sequentialIds();
  const row = (n: number, item: { line: number; value: unknown }) => {
    const checked = checkWristbandRow(item.value as Record<string, string>);
    if (!checked.ok) {
      errors.add(item.line, checked.error.code, checked.error.field, checked.error.message);
      return null;
    }
    const { nfcId, category, seriesIds } = checked.row;
    named.add(seriesIds);
    // series ids are checked UUIDs: the array literal needs no quoting
    return `${n}\t${item.line}\t${idOf(n)}\t${copyText(nfcId)}\t${copyText(category)}\t{${seriesIds.join(',')}}\n`;
  };
  return inOneTransaction<WristbandImportReport>(ctx, meter, async (tx, announce, rollBack) => {
    const { eventId, organizationId } = target;
    await tx.execute(STAGING);
    const staged = await tx.copyFrom!(COPY, copyLines(meter.items(items), errors, row));
    meter.enter('checking');
    // the planner needs the staging table's size and spread to choose hash joins over a million rows
    await tx.execute('ANALYZE import_wristband');
    let refused = await checkSeries(tx, 'import_wristband', target, named);
    const [some] = await tx.query<{ any: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM "Wristband" WHERE "eventId" = $1::uuid) AS any`,
      [eventId],
    );
    // an event without wristbands has no nfc id taken: no need to join a million rows to find none
    if (some?.any) refused += await tx.execute(MARK_TAKEN, [eventId]);
    refused += await tx.execute(markRepeated('import_wristband', 'nfcId', 'DUPLICATE_NFC_ID'));
    await reportProblems(tx, 'import_wristband', 'nfcId', refused, errors, describe);
    if (mode === 'ALL_OR_NOTHING' && errors.failedRows > 0) rollBack(report(0, false));
    meter.enter('writing');
    const imported = staged > refused ? await tx.execute(INSERT_WRISTBANDS, [eventId, organizationId]) : 0;
    if (imported > 0) {
      await tx.execute(INSERT_ASSIGNMENTS);
      await announce('wristbands.imported', { ...target, mode, imported, failed: errors.failedRows });
    }
    return report(imported, true);
  });
}
