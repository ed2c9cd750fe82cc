// Scanning at a gate: online, each scan is answered by the API; offline, scans wait in the durable queue
// and are uploaded as one offline batch, with their original times, when the gateway answers again.
import { randomUUID } from 'node:crypto';
import { ScanWristbandDocument, UploadOfflineScansDocument, type EventgraphClient, type ScanDirection } from '@eventgraph/sdk';
import { credentialRefused, explain, isCredentialRefused, isUnreachable, ScannerStop } from './failures';
import type { OfflineQueue, QueuedScan } from './offline-queue';
import { offlineResultLine, queuedLine, scanLine, uploadSummary } from './output';

/** uploadOfflineScans takes at most this many scans at once (MAX_OFFLINE_BATCH in the access subgraph) */
const BATCH = 500;

export interface GateScannerOptions {
  client: EventgraphClient;
  deviceId: string;
  seriesId: string;
  gateId: string;
  direction: ScanDirection;
  queue: OfflineQueue;
  print(line: string): void;
  /** while offline, how often to try the gateway again (default 5 s) */
  retryEveryMs?: number;
}

export class GateScanner {
  /** scans that could not be made, and uploads refused (not denials: those are answers) */
  failures = 0;
  /** set when the scanner must stop (a refused credential); later work is skipped */
  stop?: ScannerStop;
  private offline = false;
  /** scans and uploads run one at a time, in the order they came: each answer depends on the ones before */
  private lane: Promise<void> = Promise.resolve();
  private retryTimer?: NodeJS.Timeout;
  private uploadPending = false;

  constructor(private readonly options: GateScannerOptions) {}

  get queued(): number {
    return this.options.queue.size;
  }

  /** Scans `nfcId` now (the time is taken at once, before waiting for earlier scans). */
  scan(nfcId: string): Promise<void> {
    const { seriesId, gateId, direction } = this.options;
    const scan: QueuedScan = { scanId: randomUUID(), seriesId, gateId, nfcId, direction, scannedAt: new Date().toISOString() };
    return this.inLane(() => this.scanNow(scan));
  }

  /** Uploads what waits offline, if the gateway answers. */
  upload(): Promise<void> {
    if (this.uploadPending) return this.lane;
    this.uploadPending = true;
    return this.inLane(async () => {
      this.uploadPending = false;
      await this.uploadNow();
    });
  }

  /** Waits for the scans and uploads started so far; stops retrying. */
  async close(): Promise<void> {
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    await this.lane;
  }

  private inLane(task: () => Promise<void>): Promise<void> {
    this.lane = this.lane.then(async () => {
      if (this.stop) return;
      try {
        await task();
      } catch (err) {
        if (!(err instanceof ScannerStop)) throw err;
        this.stop = err;
        clearInterval(this.retryTimer);
      }
    });
    return this.lane;
  }

  private async scanNow(scan: QueuedScan): Promise<void> {
    const { client, queue, print } = this.options;
    // nothing goes online ahead of scans that wait: the server decides them in the order they happened
    if (queue.size && !this.offline) await this.uploadNow();
    if (!queue.size && !this.offline) {
      try {
        const { scanId, seriesId, gateId, nfcId, direction } = scan;
        const { checkIn } = await client.request(ScanWristbandDocument, {
          input: { scanId, seriesId, gateId, nfcId, direction },
        });
        return print(scanLine(checkIn));
      } catch (err) {
        if (isCredentialRefused(err)) throw credentialRefused(err, queue.size, queue.file);
        if (!isUnreachable(err)) {
          this.failures++;
          return print(`ERROR    ${scan.direction} ${scan.nfcId} — ${explain(err)}`);
        }
        this.goOffline(explain(err));
      }
    }
    await queue.add(scan);
    print(queuedLine(scan, queue.size));
  }

  private goOffline(why: string): void {
    if (!this.offline) this.options.print(`OFFLINE  ${why}; scans are kept and uploaded when it is back`);
    this.offline = true;
    this.retryTimer ??= setInterval(() => void this.upload(), this.options.retryEveryMs ?? 5000);
  }

  private async uploadNow(): Promise<void> {
    const { client, queue, print, deviceId } = this.options;
    while (queue.size) {
      const batch = queue.peek(BATCH);
      let results;
      try {
        ({ uploadOfflineScans: results } = await client.request(UploadOfflineScansDocument, { scans: batch }));
      } catch (err) {
        if (isCredentialRefused(err)) throw credentialRefused(err, queue.size, queue.file);
        if (isUnreachable(err)) return this.goOffline(explain(err));
        // the upload itself was refused (not a scan's denial): set the batch aside rather than retry it forever
        this.failures++;
        const file = await queue.setAside(batch);
        print(`REFUSED  upload of ${batch.length} offline scans — ${explain(err)}; they are kept in ${file}`);
        continue;
      }
      if (this.offline) print(`ONLINE   the gateway answers again; ${batch.length} offline scans uploaded`);
      this.offline = false;
      for (const result of results) print(offlineResultLine(result, deviceId));
      print(uploadSummary(results));
      await queue.remove(batch.map((s) => s.scanId));
    }
    this.offline = false;
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
  }
}
