/**
 * The wristband import's client, run in its own process (forked by wristband-import.ts) so that the memory the
 * benchmark samples is the platform's alone: generates the CSV on the fly, streams it as one upload and reads the
 * NDJSON answer (progress lines, then the report).
 */
import { Readable } from 'node:stream';

export interface UploadJob {
  /** `/imports/wristbands?eventId=…&mode=…` on the gateway */
  url: string;
  token: string;
  rows: number;
  seriesId: string;
}

type Progress = { bytes: number; rows: number; stage: string };

export interface UploadResult {
  status: number;
  report?: { imported: number; failed: number; rows: number };
  progressLines: number;
  lastProgress?: Progress;
  /** wall time of the request */
  seconds: number;
  /** reading: until the first "checking" line; checking: until "writing"; writing: until the report */
  stages?: { reading: number; checking: number; writing: number };
}

/** The CSV, 1,000 rows per chunk, made as the upload asks for it: never more than a chunk in memory. */
async function* csvRows(rows: number, seriesId: string): AsyncGenerator<string> {
  yield 'nfc_id,category,series\n';
  const categories = ['GA', 'GA', 'GA', 'VIP', 'CREW'];
  for (let start = 0; start < rows; start += 1000) {
    let chunk = '';
    for (let i = start; i < Math.min(rows, start + 1000); i++)
      chunk += `04:${i.toString(16).padStart(8, '0').toUpperCase()},${categories[i % categories.length]},${seriesId}\n`;
    yield chunk;
  }
}

export async function upload(job: UploadJob): Promise<UploadResult> {
  const started = performance.now();
  const response = await fetch(job.url, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', accept: 'application/x-ndjson', authorization: `Bearer ${job.token}` },
    body: Readable.from(csvRows(job.rows, job.seriesId)) as never,
    duplex: 'half',
  } as RequestInit);
  const { report, progressLines, lastProgress, stageAt } = await readAnswer(response);
  const ended = performance.now();
  const stages =
    stageAt.checking && stageAt.writing
      ? {
          reading: (stageAt.checking - started) / 1000,
          checking: (stageAt.writing - stageAt.checking) / 1000,
          writing: (ended - stageAt.writing) / 1000,
        }
      : undefined;
  return { status: response.status, report, progressLines, lastProgress, seconds: (ended - started) / 1000, stages };
}

/** The NDJSON answer: progress lines while the import runs, the report last. */
async function readAnswer(response: Response) {
  let report: UploadResult['report'];
  let progressLines = 0;
  let lastProgress: Progress | undefined;
  /** when each stage was first heard of */
  const stageAt: Record<string, number> = {};
  let buffered = '';
  const decoder = new TextDecoder();
  const take = (line: string) => {
    if (!line.trim()) return;
    const parsed = JSON.parse(line) as { progress?: Progress; report?: typeof report; errors?: unknown };
    if (parsed.progress) {
      progressLines++;
      lastProgress = parsed.progress;
      stageAt[parsed.progress.stage] ??= performance.now();
    } else if (parsed.report) report = parsed.report;
    else throw new Error(`import failed: ${line.slice(0, 500)}`);
  };
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    lines.forEach(take);
  }
  take(buffered);
  return { report, progressLines, lastProgress, stageAt };
}

if (require.main === module && process.send) {
  process.on('message', (job: UploadJob) => {
    upload(job)
      .then((result) => process.send!({ type: 'result', result }))
      .catch((err: unknown) =>
        process.send!({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
}
