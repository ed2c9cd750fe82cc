import { randomUUID } from 'node:crypto';
import { badInput } from '@eventgraph/runtime';
import type { AccessContext, AccessTx } from '../context';
import {
  checkTicketRow,
  TICKET_COLUMNS,
  TICKET_REQUIRED,
  ticketFromCsv,
  type ImportError,
  type TicketRow,
} from '../domain/import-rows';
import { parseJsonItems } from '../domain/json-items';
import { OWN_TICKET_SOURCE } from '../domain/ticket-types';
import type { Wristband } from '../generated/prisma/client';
import {
  csvRecords,
  ImportBatches,
  runImport,
  SeriesCheck,
  type ImportItem,
  type ImportMode,
  type ImportTarget,
  type Write,
} from './common';
import { ProgressMeter, type OnProgress } from './progress';
import { copyTickets } from './ticket-copy';

export type TicketFormat = 'CSV' | 'JSON';

export interface TicketImportReport {
  mode: ImportMode;
  committed: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** wristbands created for nfc ids the event did not know yet */
  wristbandsCreated: number;
  errors: ImportError[];
  errorsTruncated: boolean;
}

const BATCH_SIZE = 500;

/** CSV records (by their header) or JSON items, as plain objects with camelCase keys. */
async function* ticketItems(format: TicketFormat, input: AsyncIterable<string | Uint8Array>): AsyncGenerator<ImportItem> {
  if (format === 'JSON') return yield* parseJsonItems(input);
  for await (const item of csvRecords(input, TICKET_REQUIRED, TICKET_COLUMNS))
    yield 'error' in item ? item : { line: item.line, value: ticketFromCsv(item.value as Record<string, string>) };
}

type Pending = TicketRow & { line: number };

/**
 * Upserts tickets by (event, source, external id) in batches. A ticket that matches what is stored is left
 * alone (unchanged), so importing the same file again writes nothing. Every ticket this import writes gets
 * `updatedAt = stamp`, which is how a repeated external id further down the file is recognised.
 */
class TicketBatches extends ImportBatches<TicketRow> {
  created = 0;
  updated = 0;
  unchanged = 0;
  wristbandsCreated = 0;
  protected readonly unique = {
    key: (row: TicketRow) => row.externalId,
    code: 'DUPLICATE_EXTERNAL_ID' as const,
    field: 'externalId',
    name: (row: TicketRow) => `ticket ${row.externalId}`,
  };

  constructor(
    target: ImportTarget,
    private readonly source: string,
    series: SeriesCheck,
    write: Write,
    private readonly stamp: Date,
  ) {
    super(target, series, write, BATCH_SIZE);
  }

  protected check(value: unknown) {
    return checkTicketRow(value);
  }

  protected async writeBatch(tx: AccessTx, batch: Pending[]): Promise<void> {
    const { eventId, organizationId } = this.target;
    const existing = new Map(
      (
        await tx.ticket.findMany({
          where: { eventId, source: this.source, externalId: { in: batch.map((r) => r.externalId) } },
          include: { series: { select: { seriesId: true } } },
        })
      ).map((t) => [t.externalId, t]),
    );
    const wristbands = await this.wristbandsFor(tx, batch);
    const creates: Array<{ id: string; row: Pending; wristbandId: string | null }> = [];
    const assignments: Array<{ wristbandId: string; seriesId: string }> = [];
    for (const row of batch) {
      const before = existing.get(row.externalId);
      if (before && before.updatedAt.getTime() === this.stamp.getTime()) {
        this.errors.add(row.line, 'DUPLICATE_EXTERNAL_ID', 'externalId', `ticket ${row.externalId} appears earlier in this file`);
        continue;
      }
      // without an nfc id the import says nothing about the wristband: a link made since stays
      const wristbandId = row.nfcId ? wristbands.get(row.nfcId)!.id : (before?.wristbandId ?? null);
      if (wristbandId && row.status === 'VALID')
        for (const seriesId of row.seriesIds) assignments.push({ wristbandId, seriesId });
      const data = {
        category: row.category,
        status: row.status,
        holderName: row.holderName,
        holderEmail: row.holderEmail,
        wristbandId,
      };
      if (!before) {
        creates.push({ id: randomUUID(), row, wristbandId });
        continue;
      }
      const seriesBefore = before.series.map((s) => s.seriesId).sort();
      const same =
        (Object.keys(data) as Array<keyof typeof data>).every((k) => before[k] === data[k]) &&
        seriesBefore.join() === [...row.seriesIds].sort().join();
      if (same) {
        this.unchanged++;
        continue;
      }
      await tx.ticket.update({ where: { id: before.id }, data: { ...data, updatedAt: this.stamp } });
      await tx.ticketSeries.deleteMany({ where: { ticketId: before.id, seriesId: { notIn: row.seriesIds } } });
      await tx.ticketSeries.createMany({
        data: row.seriesIds.map((seriesId) => ({ ticketId: before.id, seriesId })),
        skipDuplicates: true,
      });
      this.updated++;
    }
    if (creates.length) {
      await tx.ticket.createMany({
        data: creates.map(({ id, row, wristbandId }) => ({
          id,
          organizationId,
          eventId,
          source: this.source,
          externalId: row.externalId,
          category: row.category,
          status: row.status,
          holderName: row.holderName,
          holderEmail: row.holderEmail,
          wristbandId,
          updatedAt: this.stamp,
        })),
      });
      await tx.ticketSeries.createMany({
        data: creates.flatMap(({ id, row }) => row.seriesIds.map((seriesId) => ({ ticketId: id, seriesId }))),
      });
      this.created += creates.length;
    }
    if (assignments.length) await tx.wristbandAssignment.createMany({ data: assignments, skipDuplicates: true });
  }

  /**
   * The wristband of every nfc id in the batch: an unknown nfc id gets a new ACTIVE wristband of the
   * ticket's category; a replaced wristband stands for its replacement (its tickets moved there).
   */
  private async wristbandsFor(tx: AccessTx, batch: Pending[]): Promise<Map<string, Wristband>> {
    const { eventId, organizationId } = this.target;
    const categories = new Map<string, string>();
    for (const row of batch) if (row.nfcId && !categories.has(row.nfcId)) categories.set(row.nfcId, row.category);
    if (!categories.size) return new Map();
    const nfcIds = [...categories.keys()];
    const missing = new Set(nfcIds);
    for (const w of await tx.wristband.findMany({ where: { eventId, nfcId: { in: nfcIds } }, select: { nfcId: true } }))
      missing.delete(w.nfcId);
    if (missing.size) {
      this.wristbandsCreated += await tx.$executeRawUnsafe(
        `INSERT INTO "Wristband" ("id", "organizationId", "eventId", "nfcId", "category")
         SELECT gen_random_uuid(), $1::uuid, $2::uuid, t.nfc, t.category FROM unnest($3::text[], $4::text[]) AS t(nfc, category)
         ON CONFLICT ("eventId", "nfcId") DO NOTHING`,
        organizationId,
        eventId,
        [...missing],
        [...missing].map((nfc) => categories.get(nfc)!),
      );
    }
    const found = new Map<string, Wristband>();
    for (const w of await tx.wristband.findMany({ where: { eventId, nfcId: { in: nfcIds } } })) {
      let current = w;
      for (let hops = 0; current.status === 'REPLACED' && hops < 100; hops++) {
        const next = await tx.wristband.findUnique({ where: { replacesId: current.id } });
        if (!next) break;
        current = next;
      }
      found.set(w.nfcId, current);
    }
    return found;
  }

  report(mode: ImportMode, committed: boolean): TicketImportReport {
    const kept = (n: number) => (committed ? n : 0);
    return {
      mode,
      committed,
      rows: this.rows,
      created: kept(this.created),
      updated: kept(this.updated),
      unchanged: kept(this.unchanged),
      failed: this.errors.failedRows,
      wristbandsCreated: kept(this.wristbandsCreated),
      errors: this.errors.sorted(),
      errorsTruncated: this.errors.truncated,
    };
  }
}

/** The instant every ticket this import writes carries as updatedAt (milliseconds, as stored). */
async function importStamp(db: { $queryRawUnsafe<T>(sql: string): Promise<T> }): Promise<Date> {
  const [row] = await db.$queryRawUnsafe<Array<{ stamp: Date }>>(`SELECT date_trunc('milliseconds', clock_timestamp()) AS stamp`);
  return new Date(row!.stamp);
}

/**
 * Imports tickets of one ticketing system (`source`) into one event, from CSV
 * (`external_id,category[,holder_name,holder_email,nfc_id,series,status]`) or JSON (an array of objects, or
 * one object per line, with the same fields camelCased; `series` an array or a `;`-separated list).
 * Modes as for wristbands; `tickets.imported` announces what was committed. On a PostgreSQL server the rows
 * stream through COPY (ticket-copy.ts), on PGlite they are written in batches (runImport). `onProgress` hears
 * of the bytes and rows read while it runs.
 */
export function importTickets(
  ctx: AccessContext,
  target: ImportTarget,
  source: string,
  format: TicketFormat,
  input: AsyncIterable<string | Uint8Array>,
  mode: ImportMode,
  onProgress?: OnProgress,
): Promise<TicketImportReport> {
  // an import keyed like the tickets sold here could rewrite them behind their bookings' back
  if (source.toLowerCase() === OWN_TICKET_SOURCE)
    return Promise.reject(
      badInput('source', `"${OWN_TICKET_SOURCE}" is the source of tickets sold here; name your ticketing system`),
    );
  const meter = new ProgressMeter(onProgress);
  const items = ticketItems(format, meter.body(input));
  if (ctx.sql.canCopy) return copyTickets(ctx, target, source, items, mode, meter);
  return runImport(ctx, mode, {
    batches: async (db, write) =>
      new TicketBatches(target, source, await SeriesCheck.of(db, target), write, await importStamp(db)),
    items: meter.items(items),
    topic: 'tickets.imported',
    announcement: (r) =>
      r.created + r.updated > 0
        ? { ...target, source, mode, created: r.created, updated: r.updated, unchanged: r.unchanged, failed: r.failed }
        : null,
  });
}
