import { can, notFound, requirePermission } from '@eventgraph/runtime';
import type { AccessContext, AccessDb, AccessTx } from '../context';
import type { ImportError, ImportErrorCode } from '../domain/import-rows';
import { knownEvent } from '../known-events';

/** Errors kept for the report; beyond this, they are only counted. */
export const MAX_REPORTED_ERRORS = 1000;
/** An all-or-nothing import is one transaction: long enough for a million rows on a slow disk. */
export const IMPORT_TRANSACTION_TIMEOUT_MS = 60 * 60 * 1000;

export type ImportMode = 'PARTIAL' | 'ALL_OR_NOTHING';

/** Counts every failed row, keeps the first MAX_REPORTED_ERRORS: memory stays bounded whatever the file. */
export class ImportErrors {
  readonly list: ImportError[] = [];
  failedRows = 0;

  add(line: number, code: ImportErrorCode, field: string | null, message: string): void {
    this.failedRows++;
    if (this.list.length < MAX_REPORTED_ERRORS) this.list.push({ line, code, field, message });
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
  const event = await knownEvent(ctx.db, eventId);
  if (!can(ctx.principal, 'organization.read', event.organizationId)) throw notFound('Event', eventId);
  requirePermission(ctx.principal, 'wristbands.assign', event.organizationId);
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
export class RollBack extends Error {
  constructor() {
    super('import rolled back');
  }
}
