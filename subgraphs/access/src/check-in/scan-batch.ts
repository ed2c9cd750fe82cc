import { Counter, SqlError, type ConsumerServices, type Logger, type Registry, type Sql } from '@eventgraph/runtime';
import type { CheckIn } from '../generated/prisma/client';

/** What `checkin_scan` answers (see its migration): how it went, and the scan. */
export type Outcome =
  'RECORDED' | 'VERIFIED' | 'DUPLICATE' | 'SCAN_ID_REUSED' | 'SERIES_NOT_FOUND' | 'FORBIDDEN' | 'GATE_NOT_FOUND';
export type ScanRow = CheckIn & { outcome: Outcome; previousCheckInId: string | null };

/** The arguments of `checkin_scan`, named as `checkin_scan_batch` reads them from its JSON. */
export interface ScanArguments {
  record: boolean;
  series: string;
  gate: string;
  nfcId: string;
  idValid: boolean;
  direction: string;
  scannedAt: Date;
  offline: boolean;
  scannerKind: string;
  scannerId: string;
  scanId: string | null;
  /** null: any (a platform service); for the rest, the organisations and gates of the caller */
  readOrgs: string[] | null;
  scanOrgs: string[] | null;
  deviceGates: string[] | null;
  /** recording: the new check-in's id and its outbox row's envelope (payloadExtra is JSON text) */
  checkInId: string | null;
  event: string | null;
  source: string | null;
  topic: string | null;
  occurredAt: string | null;
  payloadExtra: string | null;
}

const SCAN = `SELECT r."outcome", r."previousCheckInId", (r."checkIn").*
  FROM "checkin_scan"($1, $2::uuid, $3::uuid, $4, $5, $6, $7::timestamptz, $8, $9, $10, $11, $12::uuid[], $13::uuid[], $14::uuid[],
    $15::uuid, $16::uuid, $17, $18, $19::timestamptz, $20::jsonb) r`;

const SCAN_BATCH = `SELECT r."position", r."outcome", r."previousCheckInId", (r."checkIn").* FROM "checkin_scan_batch"($1::jsonb) r`;

/** One scan in its own statement (autocommit: the statement is its transaction). */
export async function scanOnce(db: Sql, a: ScanArguments): Promise<ScanRow> {
  const [row] = await db.query<ScanRow>(SCAN, [
    a.record,
    a.series,
    a.gate,
    a.nfcId,
    a.idValid,
    a.direction,
    a.scannedAt,
    a.offline,
    a.scannerKind,
    a.scannerId,
    a.scanId,
    a.readOrgs,
    a.scanOrgs,
    a.deviceGates,
    a.checkInId,
    a.event,
    a.source,
    a.topic,
    a.occurredAt,
    a.payloadExtra,
  ]);
  return row!;
}

/**
 * The most scans in one statement (`EVENTGRAPH_SCAN_BATCH_MAX`, default 64): those gathered while another batch is
 * at the database; more wait for the next. 1 turns batches off: each scan goes at once, in a statement of its own.
 */
export function scanBatchLimitFromEnv(env: Record<string, string | undefined> = process.env): number {
  const text = env.EVENTGRAPH_SCAN_BATCH_MAX?.trim();
  if (text === undefined || text === '') return 64;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new Error(`EVENTGRAPH_SCAN_BATCH_MAX must be a whole number from 1 to 1000, got "${text}"`);
  return limit;
}

/** read at start, so a bad setting stops access from starting */
const BATCH_LIMIT = scanBatchLimitFromEnv();

interface Waiting {
  scan: ScanArguments;
  resolve(row: ScanRow): void;
  reject(err: unknown): void;
}

/**
 * Records scans as the database frees up: the first scan goes alone at once; those that arrive while it
 * (or a batch) is at the database go together in the next statement, `checkin_scan_batch` — one round
 * trip and one commit for all of them, each decided exactly as alone. One batch at a time per process, so
 * this process's scans never wait on each other's locks. If a batch fails (a deadlock with another
 * replica, one scan id raced in twice), nothing of it was kept, and each of its scans runs again alone,
 * where it gets its own answer or error.
 */
export class ScanBatches {
  private waiting: Waiting[] = [];
  private busy = false;
  /** batches of two or more sent, the scans in them, and those that failed as a whole */
  readonly stats = { batches: 0, scans: 0, failed: 0 };
  private log?: Logger;

  constructor(
    private readonly db: Sql,
    private readonly limit = BATCH_LIMIT,
  ) {}

  record(scan: ScanArguments): Promise<ScanRow> {
    // batches off: every scan at once in its own statement, as many at a time as the pool has connections
    if (this.limit === 1) return scanOnce(this.db, scan);
    return new Promise((resolve, reject) => {
      this.waiting.push({ scan, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain() {
    this.busy = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.limit);
      if (batch.length === 1 || !(await this.together(batch))) await Promise.all(batch.map((w) => this.alone(w)));
    }
    this.busy = false;
  }

  private async alone(w: Waiting) {
    try {
      w.resolve(await scanOnce(this.db, w.scan));
    } catch (err) {
      w.reject(err);
    }
  }

  /** false: the batch failed as a whole, nothing of it was kept */
  private async together(batch: Waiting[]): Promise<boolean> {
    let rows: Array<ScanRow & { position: number }>;
    this.stats.batches++;
    this.stats.scans += batch.length;
    try {
      const scans = batch.map(({ scan }, i) => ({
        ...scan,
        i,
        payloadExtra: scan.payloadExtra && JSON.parse(scan.payloadExtra),
      }));
      rows = await this.db.query(SCAN_BATCH, [JSON.stringify(scans)]);
    } catch (err) {
      this.stats.failed++;
      const code = err instanceof SqlError ? err.sqlState : undefined;
      this.log?.warn({ scans: batch.length, code }, 'a batch of check-ins failed as a whole: its scans run again one by one');
      return false;
    }
    const answered = new Set<number>();
    for (const { position, ...row } of rows) {
      answered.add(position);
      batch[position]!.resolve(row);
    }
    batch.forEach((w, i) => answered.has(i) || w.reject(new Error('checkin_scan_batch gave no answer for a scan')));
    return true;
  }

  /** Counts the batches on a /metrics registry (at scrape time, from `stats`) and logs each that fails. */
  observe(metrics: Registry, log: Logger): void {
    this.log = log;
    const { stats } = this;
    new Counter({
      name: 'eventgraph_checkin_batches_total',
      help: 'statements that recorded two or more check-ins together, by result (failed: each scan then ran alone)',
      labelNames: ['result'],
      registers: [metrics],
      collect() {
        this.reset();
        this.inc({ result: 'recorded' }, stats.batches - stats.failed);
        this.inc({ result: 'failed' }, stats.failed);
      },
    });
    new Counter({
      name: 'eventgraph_checkin_batched_scans_total',
      help: 'check-ins sent in a statement with others',
      registers: [metrics],
      collect() {
        this.reset();
        this.inc(stats.scans);
      },
    });
  }
}

/** Started with access (index.ts): its batches counted on its /metrics, their failures logged. */
export function observeScanBatches({ sql, metrics, log }: Pick<ConsumerServices<unknown>, 'sql' | 'metrics' | 'log'>) {
  scanBatches(sql).observe(metrics, log);
  return () => {};
}

const batchesOf = new WeakMap<Sql, ScanBatches>();

/** The process's batches for one database. */
export function scanBatches(db: Sql): ScanBatches {
  let batches = batchesOf.get(db);
  if (!batches) batchesOf.set(db, (batches = new ScanBatches(db)));
  return batches;
}
