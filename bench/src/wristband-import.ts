/**
 * Wristband import (`npm run -w @eventgraph/bench bench:import`): BENCH_IMPORT_ROWS (default 1,000,000) wristband rows
 * `nfc_id,category,series` (every row assigned to one series), generated on the fly and streamed as the body of
 * `POST /imports/wristbands?eventId=…&mode=partial` (BENCH_IMPORT_MODE=all-or-nothing for the other mode) through the
 * gateway to the access subgraph, with the development credential, asking for NDJSON progress lines. The whole
 * platform runs in this process on the PostgreSQL server (startBenchPlatform), the client in a forked one
 * (import-upload-worker.ts); this process's RSS and heap are sampled every 50 ms from before the upload starts until
 * the report arrives, so "peak" covers the gateway, access and the other subgraphs together, and nothing of the
 * client. Rows/s = rows in the report / wall time of the request. The result goes into bench/RESULTS.md between
 * <!-- wristband-import --> and <!-- /wristband-import -->.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  benchDir,
  createEvent,
  forkWorker,
  machineInfo,
  postgresVersion,
  runWorker,
  seedOrganization,
  startBenchPlatform,
} from './common';
import type { UploadJob, UploadResult } from './import-upload-worker';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const MODE = process.env.BENCH_IMPORT_MODE === 'all-or-nothing' ? 'all-or-nothing' : 'partial';
const START = '<!-- wristband-import -->';
const END = '<!-- /wristband-import -->';
const MiB = 1024 * 1024;

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
    // the upload runs in a process of its own, so the memory sampled here is the platform's alone
    const client = forkWorker('import-upload-worker.ts');
    await new Promise((resolve) => client.once('spawn', resolve));
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
    const upload: UploadJob = {
      url: new URL(`/imports/wristbands?eventId=${eventId}&mode=${MODE}`, platform.gateway.url).href,
      token: platform.devToken,
      rows: ROWS,
      seriesId: series.id,
    };
    const { status, report, progressLines, lastProgress, seconds, stages } = await runWorker<UploadResult>(client, upload);
    client.kill();
    clearInterval(sampler);
    if (status !== 200 || report?.rows !== ROWS || report.failed !== 0)
      throw new Error(`import failed (${status}): ${JSON.stringify(report).slice(0, 500)}`);
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

type Progress = NonNullable<UploadResult['lastProgress']>;

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
The whole platform runs in this one process and the client in another; memory is the platform's process, sampled every 50 ms.

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
