/**
 * Wristband import (`npm run -w @eventgraph/bench bench:import`): BENCH_IMPORT_ROWS (default 1,000,000) wristband rows
 * `nfc_id,category,series` (every row assigned to one series), generated on the fly and streamed as the body of
 * `POST /imports/wristbands?eventId=…&mode=partial` (BENCH_IMPORT_MODE=all-or-nothing for the other mode) through the
 * gateway to the access subgraph, with the development credential, asking for NDJSON progress lines. The whole platform runs in this process on
 * the PostgreSQL server (startBenchPlatform); the process's RSS and heap are sampled every 50 ms from before the
 * upload starts until the report arrives, so "peak" covers the gateway, access, the other subgraphs and the
 * client together. Rows/s = rows in the report / wall time of the request. The result goes into
 * bench/RESULTS.md between <!-- wristband-import --> and <!-- /wristband-import -->.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { benchDir, createEvent, machineInfo, postgresVersion, seedOrganization, startBenchPlatform } from './common';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const MODE = process.env.BENCH_IMPORT_MODE === 'all-or-nothing' ? 'all-or-nothing' : 'partial';
const START = '<!-- wristband-import -->';
const END = '<!-- /wristband-import -->';
const MiB = 1024 * 1024;

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

async function main() {
  const platform = await startBenchPlatform('memory');
  try {
    const tag = Date.now().toString(36);
    const { venue } = await seedOrganization(platform, tag);
    const eventId = await createEvent(platform, venue.id, 'Import Festival', `import-festival-${tag}`);
    const { createEventSeries: series } = await platform.data<{ createEventSeries: { id: string } }>(
      `mutation($e: ID!) { createEventSeries(input: { eventId: $e, name: "Day 1", startsAt: "2027-07-01T14:00:00Z", endsAt: "2027-07-01T23:00:00Z", capacity: 1000000 }) { id } }`,
      { e: eventId },
    );
    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 50);
    const load = loadavg();
    const started = performance.now();
    const response = await fetch(new URL(`/imports/wristbands?eventId=${eventId}&mode=${MODE}`, platform.gateway.url), {
      method: 'POST',
      headers: { 'content-type': 'text/csv', accept: 'application/x-ndjson', authorization: `Bearer ${platform.devToken}` },
      body: Readable.from(csvRows(ROWS, series.id)) as never,
      duplex: 'half',
    } as RequestInit);
    const { report, progressLines, lastProgress, stageAt } = await readAnswer(response);
    const ended = performance.now();
    const seconds = (ended - started) / 1000;
    // reading: until the first "checking" line; checking: until "writing"; writing: until the report
    const stages =
      stageAt.checking && stageAt.writing
        ? {
            reading: (stageAt.checking - started) / 1000,
            checking: (stageAt.writing - stageAt.checking) / 1000,
            writing: (ended - stageAt.writing) / 1000,
          }
        : undefined;
    clearInterval(sampler);
    if (response.status !== 200 || report?.rows !== ROWS || report.failed !== 0)
      throw new Error(`import failed (${response.status}): ${JSON.stringify(report).slice(0, 500)}`);
    const db = platform.subgraphs.access!.db as { $queryRawUnsafe<T>(sql: string, ...v: unknown[]): Promise<T> };
    const [{ wristbands, assignments }] = await db.$queryRawUnsafe<[{ wristbands: number; assignments: number }]>(
      `SELECT (SELECT count(*)::int FROM "Wristband" WHERE "eventId" = $1::uuid) AS wristbands,
              (SELECT count(*)::int FROM "WristbandAssignment" WHERE "seriesId" = $2::uuid) AS assignments`,
      eventId,
      series.id,
    );
    const result = {
      rows: ROWS,
      mode: MODE,
      imported: report.imported,
      wristbands,
      assignments,
      seconds,
      rowsPerSecond: ROWS / seconds,
      rssBeforeMiB: before.rss / MiB,
      peakRssMiB: peakRss / MiB,
      heapBeforeMiB: before.heapUsed / MiB,
      peakHeapMiB: peakHeap / MiB,
      load,
      progressLines,
      lastProgress,
      stages,
    };
    const section = await formatSection(result);
    writeSection(section);
    console.log(section);
  } finally {
    await platform.stop();
  }
}

type Progress = { bytes: number; rows: number; stage: string };

/** The NDJSON answer: progress lines while the import runs, the report last. */
async function readAnswer(response: Response) {
  let report: { imported: number; failed: number; rows: number } | undefined;
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

async function formatSection(r: {
  rows: number;
  mode: string;
  imported: number;
  wristbands: number;
  assignments: number;
  seconds: number;
  rowsPerSecond: number;
  rssBeforeMiB: number;
  peakRssMiB: number;
  heapBeforeMiB: number;
  peakHeapMiB: number;
  load: number[];
  progressLines: number;
  lastProgress?: Progress;
  stages?: { reading: number; checking: number; writing: number };
}): Promise<string> {
  const m = machineInfo();
  const f = (v: number, d = 0) => v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  return `${START}
## Wristband import (\`bench/src/wristband-import.ts\`)

Run with \`npm run -w @eventgraph/bench bench:import\` on ${new Date().toISOString()} (${m.cpu}, ${m.cores} cores, Node ${m.node},
PostgreSQL ${await postgresVersion()}, load average at start ${r.load.map((v) => v.toFixed(2)).join(' / ')}).
${f(r.rows)} rows \`nfc_id,category,series\` (every row assigned to one series) generated on the fly and streamed as one
\`POST /imports/wristbands?mode=${r.mode}\` with \`Accept: application/x-ndjson\` through the gateway to access: the rows
stream through \`COPY … FROM STDIN\` into a temporary staging table, then set-based statements check series and nfc ids
and \`INSERT … SELECT\` the wristbands and their assignments, all in one transaction. The answer carried
${f(r.progressLines)} progress lines before the report (the last: ${r.lastProgress ? `${f(r.lastProgress.rows)} rows, ${f(r.lastProgress.bytes / MiB, 1)} MiB, ${r.lastProgress.stage}` : 'none'})${
    r.stages
      ? `; by the stages they name: reading and COPY ${f(r.stages.reading, 1)} s, set-based checks ${f(r.stages.checking, 1)} s, inserts ${f(r.stages.writing, 1)} s`
      : ''
  }.
The whole platform and the client run in this one process; memory is that process's, sampled every 50 ms.

| rows | mode | imported | wristbands / assignments in the database | wall time s | rows/s | RSS before → peak MiB | heap used before → peak MiB |
|---:|---|---:|---:|---:|---:|---:|---:|
| ${f(r.rows)} | ${r.mode} | ${f(r.imported)} | ${f(r.wristbands)} / ${f(r.assignments)} | ${f(r.seconds, 1)} | ${f(r.rowsPerSecond)} | ${f(r.rssBeforeMiB)} → ${f(r.peakRssMiB)} | ${f(r.heapBeforeMiB)} → ${f(r.peakHeapMiB)} |

Memory does not grow with the file: the parser holds one record, the COPY stream one 64 KiB chunk, the report
at most 1,000 errors; the peak is the platform's working set plus what is in flight.
${END}`;
}

function writeSection(section: string): void {
  const file = join(benchDir, 'RESULTS.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Eventgraph benchmarks\n';
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + section + current.slice(end + END.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
