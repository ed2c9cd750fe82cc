// Scans made while the gateway is unreachable, one JSON object a line, on disk before the scanner says "queued".
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ScanDirection } from '@eventgraph/sdk';

/** One scan as `uploadOfflineScans` takes it (OfflineScanInput). */
export interface QueuedScan {
  /** the scanner's id for the scan: an upload repeated (or a timed-out scan retried) is counted once */
  scanId: string;
  seriesId: string;
  gateId: string;
  nfcId: string;
  direction: ScanDirection;
  /** when it was scanned, by the scanner's clock */
  scannedAt: string;
}

export const queueFile = (stateDir: string) => join(stateDir, 'offline-queue.jsonl');

export class OfflineQueue {
  private constructor(
    readonly file: string,
    private scans: QueuedScan[],
  ) {}

  /** The queue kept in `file`, with what an earlier run left in it. */
  static async open(file: string): Promise<OfflineQueue> {
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // a line cut short by a crash mid-append is dropped: it was never reported as queued
    const scans = text
      .split('\n')
      .filter((line) => line.trim())
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as QueuedScan];
        } catch {
          return [];
        }
      });
    return new OfflineQueue(file, scans);
  }

  get size(): number {
    return this.scans.length;
  }

  /** Appends the scan and syncs it to disk. */
  async add(scan: QueuedScan): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const handle = await open(this.file, 'a', 0o600);
    try {
      await handle.write(`${JSON.stringify(scan)}\n`);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    this.scans.push(scan);
  }

  /** The oldest `count` scans, still queued until `remove`d. */
  peek(count: number): QueuedScan[] {
    return this.scans.slice(0, count);
  }

  /** Drops scans the server answered for (the file is rewritten whole: tmp + rename). */
  async remove(scanIds: Iterable<string>): Promise<void> {
    const done = new Set(scanIds);
    this.scans = this.scans.filter((s) => !done.has(s.scanId));
    if (!this.scans.length) return rm(this.file, { force: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, this.scans.map((s) => `${JSON.stringify(s)}\n`).join(''), { mode: 0o600 });
    await rename(tmp, this.file);
  }

  /**
   * Moves scans the server refused to take (not a scan's denial: the upload itself was refused) to a file
   * of their own, so they stop blocking the queue and stay for a person to look at. Returns that file.
   */
  async setAside(scans: QueuedScan[]): Promise<string> {
    const file = this.file.replace(/\.jsonl$/, `.refused-${Date.now()}.jsonl`);
    await writeFile(file, scans.map((s) => `${JSON.stringify(s)}\n`).join(''), { mode: 0o600 });
    await this.remove(scans.map((s) => s.scanId));
    return file;
  }
}
