import { copyText } from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { checkTicketRow } from '../domain/import-rows';
import { ImportErrors, type ImportItem, type ImportMode, type ImportTarget } from './common';
import type { ProgressMeter } from './progress';
import { checkSeries, copyLines, inOneTransaction, markRepeated, reportProblems, SeriesNamed } from './staging';
import type { TicketImportReport } from './tickets';

/**
 * Ticket imports on a PostgreSQL server, as tickets.ts does them batch by batch but set-based over a staging
 * table the accepted rows stream into through COPY (staging.ts): series and repeated external ids marked, nfc
 * ids resolved to wristbands (created if new, a replaced one followed to its replacement), each row compared
 * with its stored ticket (created, updated or unchanged), then the writes, all in one transaction. Every ticket
 * written carries the transaction's start as `updatedAt`.
 */

const TABLE = 'import_ticket';

const STAGING = `CREATE TEMP TABLE import_ticket (
  "n" integer NOT NULL,
  "line" integer NOT NULL,
  "externalId" text NOT NULL,
  "category" text NOT NULL,
  "status" text NOT NULL,
  "holderName" text,
  "holderEmail" text,
  "nfcId" text,
  "seriesIds" uuid[] NOT NULL,
  "problem" text,
  "detail" text,
  "ticketId" uuid NOT NULL DEFAULT gen_random_uuid(),
  "wristbandId" uuid,
  "outcome" text NOT NULL DEFAULT 'created'
) ON COMMIT DROP`;

const COPY = `COPY import_ticket ("n", "line", "externalId", "category", "status", "holderName", "holderEmail", "nfcId", "seriesIds") FROM STDIN`;

/** A new ACTIVE wristband for each nfc id the event does not know, of the category of the first ticket naming it. */
const CREATE_WRISTBANDS = `INSERT INTO "Wristband" ("id", "organizationId", "eventId", "nfcId", "category")
SELECT gen_random_uuid(), $2::uuid, $1::uuid, f."nfcId", f."category" FROM (
  SELECT DISTINCT ON ("nfcId") "nfcId", "category" FROM import_ticket
   WHERE "problem" IS NULL AND "nfcId" IS NOT NULL ORDER BY "nfcId", "n"
) f
WHERE NOT EXISTS (SELECT 1 FROM "Wristband" w WHERE w."eventId" = $1::uuid AND w."nfcId" = f."nfcId")
ON CONFLICT ("eventId", "nfcId") DO NOTHING`;

/** Each nfc id's wristband, a replaced one followed to its replacement (its tickets moved there). */
const RESOLVE_WRISTBANDS = `UPDATE import_ticket t SET "wristbandId" = r."id"
FROM (
  WITH RECURSIVE chain AS (
    SELECT w."nfcId" AS nfc, w."id", w."status", 0 AS hops FROM "Wristband" w
     WHERE w."eventId" = $1::uuid AND w."nfcId" IN (SELECT "nfcId" FROM import_ticket WHERE "problem" IS NULL)
    UNION ALL
    SELECT c.nfc, n."id", n."status", c.hops + 1 FROM chain c JOIN "Wristband" n ON n."replacesId" = c."id"
     WHERE c."status" = 'REPLACED' AND c.hops < 100
  )
  SELECT DISTINCT ON (nfc) nfc, "id" FROM chain ORDER BY nfc, hops DESC
) r
WHERE t."nfcId" = r.nfc AND t."problem" IS NULL`;

/**
 * Rows of stored tickets: their id, the wristband kept when the row names none, and whether anything differs
 * (the SET expressions all see the row as it was, so "wristbandId" there is the one the nfc id resolved to).
 */
const COMPARE_STORED = `UPDATE import_ticket t SET
  "ticketId" = k."id",
  "wristbandId" = CASE WHEN t."nfcId" IS NULL THEN k."wristbandId" ELSE t."wristbandId" END,
  "outcome" = CASE WHEN k."category" = t."category" AND k."status"::text = t."status"
      AND k."holderName" IS NOT DISTINCT FROM t."holderName" AND k."holderEmail" IS NOT DISTINCT FROM t."holderEmail"
      AND (t."nfcId" IS NULL OR k."wristbandId" IS NOT DISTINCT FROM t."wristbandId")
      AND ARRAY(SELECT s."seriesId" FROM "TicketSeries" s WHERE s."ticketId" = k."id" ORDER BY 1)
        = ARRAY(SELECT x FROM unnest(t."seriesIds") x ORDER BY 1)
    THEN 'unchanged' ELSE 'updated' END
FROM "Ticket" k
WHERE k."eventId" = $1::uuid AND k."source" = $2 AND k."externalId" = t."externalId" AND t."problem" IS NULL`;

const INSERT_TICKETS = `INSERT INTO "Ticket" ("id", "organizationId", "eventId", "source", "externalId", "category", "status",
  "holderName", "holderEmail", "wristbandId", "updatedAt")
SELECT "ticketId", $2::uuid, $1::uuid, $3, "externalId", "category", "status"::"TicketStatus", "holderName", "holderEmail",
  "wristbandId", date_trunc('milliseconds', now())
FROM import_ticket WHERE "problem" IS NULL AND "outcome" = 'created'`;

const UPDATE_TICKETS = `UPDATE "Ticket" k SET "category" = t."category", "status" = t."status"::"TicketStatus",
  "holderName" = t."holderName", "holderEmail" = t."holderEmail", "wristbandId" = t."wristbandId",
  "updatedAt" = date_trunc('milliseconds', now())
FROM import_ticket t WHERE k."id" = t."ticketId" AND t."problem" IS NULL AND t."outcome" = 'updated'`;

const DROP_SERIES = `DELETE FROM "TicketSeries" s USING import_ticket t
WHERE s."ticketId" = t."ticketId" AND t."problem" IS NULL AND t."outcome" = 'updated' AND NOT (s."seriesId" = ANY (t."seriesIds"))`;

const ADD_SERIES = `INSERT INTO "TicketSeries" ("ticketId", "seriesId")
SELECT t."ticketId", x FROM import_ticket t CROSS JOIN LATERAL unnest(t."seriesIds") x
WHERE t."problem" IS NULL AND t."outcome" <> 'unchanged'
ON CONFLICT DO NOTHING`;

/** A VALID ticket's series are assigned to its wristband, written or not (the assignment may have been removed). */
const ASSIGN = `INSERT INTO "WristbandAssignment" ("wristbandId", "seriesId")
SELECT DISTINCT t."wristbandId", x FROM import_ticket t CROSS JOIN LATERAL unnest(t."seriesIds") x
WHERE t."problem" IS NULL AND t."status" = 'VALID' AND t."wristbandId" IS NOT NULL
ON CONFLICT DO NOTHING`;

const nullable = (value: string | null) => copyText(value);

export function copyTickets(
  ctx: AccessContext,
  target: ImportTarget,
  source: string,
  items: AsyncIterable<ImportItem>,
  mode: ImportMode,
  meter: ProgressMeter,
): Promise<TicketImportReport> {
  const errors = new ImportErrors();
  const named = new SeriesNamed();
  const counts = { created: 0, updated: 0, unchanged: 0, wristbandsCreated: 0 };
  const report = (committed: boolean): TicketImportReport => {
    const kept = (n: number) => (committed ? n : 0);
    return {
      mode,
      committed,
      rows: meter.rows,
      created: kept(counts.created),
      updated: kept(counts.updated),
      unchanged: kept(counts.unchanged),
      failed: errors.failedRows,
      wristbandsCreated: kept(counts.wristbandsCreated),
      errors: errors.sorted(),
      errorsTruncated: errors.truncated,
    };
  };
  const row = (n: number, item: { line: number; value: unknown }) => {
    const checked = checkTicketRow(item.value);
    if (!checked.ok) {
      errors.add(item.line, checked.error.code, checked.error.field, checked.error.message);
      return null;
    }
    const t = checked.row;
    named.add(t.seriesIds);
    return `${n}\t${item.line}\t${copyText(t.externalId)}\t${copyText(t.category)}\t${t.status}\t${nullable(t.holderName)}\t${nullable(
      t.holderEmail,
    )}\t${nullable(t.nfcId)}\t{${t.seriesIds.join(',')}}\n`;
  };
  return inOneTransaction<TicketImportReport>(ctx, meter, async (tx, announce, rollBack) => {
    const { eventId, organizationId } = target;
    await tx.execute(STAGING);
    await tx.copyFrom!(COPY, copyLines(meter.items(items), errors, row));
    meter.enter('checking');
    await tx.execute(`ANALYZE ${TABLE}`);
    let refused = await checkSeries(tx, TABLE, target, named);
    refused += await tx.execute(markRepeated(TABLE, 'externalId', 'DUPLICATE_EXTERNAL_ID'));
    await reportProblems(tx, TABLE, 'externalId', refused, errors, (p) => [
      'externalId',
      `ticket ${p.key} appears earlier in this file (line ${p.detail})`,
    ]);
    if (mode === 'ALL_OR_NOTHING' && errors.failedRows > 0) rollBack(report(false));
    meter.enter('writing');
    counts.wristbandsCreated = await tx.execute(CREATE_WRISTBANDS, [eventId, organizationId]);
    await tx.execute(RESOLVE_WRISTBANDS, [eventId]);
    await tx.execute(COMPARE_STORED, [eventId, source]);
    counts.created = await tx.execute(INSERT_TICKETS, [eventId, organizationId, source]);
    counts.updated = await tx.execute(UPDATE_TICKETS);
    if (counts.updated) await tx.execute(DROP_SERIES);
    if (counts.created + counts.updated) await tx.execute(ADD_SERIES);
    const [{ unchanged } = { unchanged: 0 }] = await tx.query<{ unchanged: number }>(
      `SELECT count(*)::int AS unchanged FROM import_ticket WHERE "problem" IS NULL AND "outcome" = 'unchanged'`,
    );
    counts.unchanged = unchanged;
    await tx.execute(ASSIGN);
    const r = report(true);
    if (r.created + r.updated > 0)
      await announce('tickets.imported', {
        ...target,
        source,
        mode,
        created: r.created,
        updated: r.updated,
        unchanged: r.unchanged,
        failed: r.failed,
      });
    return r;
  });
}
