/**
 * Ingest throughput (`npx tsx bench/src/ingest-throughput.ts`): records/s of a complete run of a paged JSON
 * source through fetch (real HTTP from a local feed server in its own process) → parse → normalise → dedup →
 * stage, on the PostgreSQL server, against a database that already holds canonical events.
 *
 * Per point: a fresh database (BENCH_INGEST_DATABASE, default eventgraph_bench_ingest) with ingest's migrations;
 * source A (trusted, auto-approving) is staged through the same pipeline (BENCH_INGEST_SEEDED records, default
 * the incoming count); canonical events beyond those are inserted in bulk straight into CanonicalEvent (see
 * ingest-seed.ts); VACUUM ANALYZE; then source B's BENCH_INGEST_RECORDS records (default 100,000; half retell
 * A's events differently, half are new) are measured: wall time per step, this process's CPU time and peak
 * RSS / heap (sampled every 50 ms), the PostgreSQL server's CPU time (from /proc). BENCH_INGEST_EXISTING lists
 * the points (default 100000,1000000). The result replaces the section between the ingest-throughput markers
 * of bench/RESULTS.md (BENCH_INGEST_WRITE=0 only prints it); the notes between the ingest-notes markers are kept.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fetchFeed } from '../../subgraphs/ingest/src/fetch/http-fetch';
import { parseFeed } from '../../subgraphs/ingest/src/domain/parse';
import { normaliseRecord } from '../../subgraphs/ingest/src/domain/normalise';
import type { NormalisedRecord } from '../../subgraphs/ingest/src/domain/records';
import { benchDir, machineInfo, postgresCpuMs, postgresVersion, runWorker } from './common';
import { A_CONFIG, B_CONFIG } from './ingest-feed-data';
import { ingestSource, type PipelineResult } from './ingest-pipeline';
import {
  dedupOutcome,
  dropDatabase,
  freshDatabase,
  INGEST_DB,
  meanCandidates,
  seedCanonicalEvents,
  sequentialScans,
  settle,
  type DedupOutcome,
} from './ingest-seed';

const INCOMING = Number(process.env.BENCH_INGEST_RECORDS ?? 100_000);
const POINTS = (process.env.BENCH_INGEST_EXISTING ?? '100000,1000000').split(',').map(Number);
const SEEDED = Number(process.env.BENCH_INGEST_SEEDED ?? INCOMING);
const PAGE_SIZE = Number(process.env.BENCH_INGEST_PAGE ?? 1000);
const NOW = new Date('2026-12-01T00:00:00Z');
const MiB = 1024 * 1024;
const START = '<!-- ingest-throughput -->';
const END = '<!-- /ingest-throughput -->';
const NOTES = '<!-- ingest-notes -->';
const NOTES_END = '<!-- /ingest-notes -->';

interface PointResult {
  existing: number;
  stagedA: number;
  bulk: number;
  seedA: PipelineResult;
  seedSeconds: { staged: number; bulk: number };
  candidates: number;
  run: PipelineResult;
  cpuMs: number;
  postgresCpuMs: number | null;
  rssBeforeMiB: number;
  peakRssMiB: number;
  heapBeforeMiB: number;
  peakHeapMiB: number;
  outcome: DedupOutcome;
  /** sequential scans during B's run: [scans, rows read] of CanonicalEvent and SourceRecord */
  seqScans: Record<string, { scans: number; rows: number }>;
}

/** a full collection before measuring, so "before" is the live heap, not the previous point's garbage */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const log = (message: string) => console.log(`[ingest ${new Date().toISOString().slice(11, 19)}] ${message}`);

function startFeeds(existing: number): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(benchDir, 'src', 'ingest-feed-server.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return runWorker<{ port: number }>(child, { existing, incoming: INCOMING, pageSize: PAGE_SIZE }).then(({ port }) => ({
    child,
    port,
  }));
}

/** B's first page through the real parse and normalisation: the records whose blocking windows are counted */
async function sampleOfB(port: number): Promise<NormalisedRecord[]> {
  const fetched = await fetchFeed(`http://127.0.0.1:${port}/b?page=0`, { privateTargets: 'allow' });
  if (fetched.notModified) return [];
  const horizon = { from: NOW, to: new Date(NOW.getTime() + 2 * 365 * 86_400_000) };
  return parseFeed('JSON', fetched.body, { horizon, config: B_CONFIG })
    .records.map((r) => normaliseRecord(r, { sourceKey: 'sample', kind: 'JSON', knownVenues: [], now: NOW }).record)
    .filter((r): r is NormalisedRecord => !!r);
}

async function runPoint(existing: number): Promise<PointResult> {
  const stagedA = Math.min(existing, SEEDED);
  const bulk = existing - stagedA;
  log(`point: ${existing.toLocaleString()} existing (${stagedA.toLocaleString()} staged from A, ${bulk.toLocaleString()} bulk)`);
  const db = await freshDatabase();
  const feeds = await startFeeds(stagedA);
  try {
    const base = `http://127.0.0.1:${feeds.port}`;
    const progress = (what: string) => (n: number) => {
      if (n % 20_000 === 0) log(`${what}: ${n.toLocaleString()}`);
    };
    const services = { sql: db.database.sql };
    const seedA = await ingestSource(services, {
      source: db.sourceA,
      sourceKey: 'partner-a',
      config: A_CONFIG,
      firstUrl: `${base}/a?page=0`,
      now: NOW,
      onPage: progress('seeding A'),
    });
    log(`seeded A: ${seedA.records} records in ${(seedA.wallMs / 1000).toFixed(1)} s`);
    let t = performance.now();
    await seedCanonicalEvents(db.database.sql, bulk, (n) => log(`bulk canonical events: ${n.toLocaleString()}`));
    const bulkSeconds = (performance.now() - t) / 1000;
    await settle(db.database.sql);
    const candidates = await meanCandidates(db.database.sql, await sampleOfB(feeds.port));
    log(`mean canonical events in a B record's block: ${candidates.toFixed(1)}`);

    collectGarbage();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 50);
    const scansBefore = await sequentialScans(db.database.sql);
    const cpuBefore = process.cpuUsage();
    const pgBefore = postgresCpuMs();
    t = performance.now();
    const run = await ingestSource(services, {
      source: db.sourceB,
      sourceKey: 'city-guide-b',
      config: B_CONFIG,
      firstUrl: `${base}/b?page=0`,
      now: NOW,
      onPage: progress('measuring B'),
    });
    const cpu = process.cpuUsage(cpuBefore);
    const pgAfter = postgresCpuMs();
    clearInterval(sampler);
    log(`B: ${run.records} records in ${(run.wallMs / 1000).toFixed(1)} s (${Math.round(run.records / (run.wallMs / 1000))}/s)`);
    // the statistics collector reports with a delay of up to a second
    await new Promise((r) => setTimeout(r, 1500));
    const scansAfter = await sequentialScans(db.database.sql);
    const seqScans = Object.fromEntries(
      Object.entries(scansAfter).map(([table, a]) => [
        table,
        { scans: a.scans - (scansBefore[table]?.scans ?? 0), rows: a.rows - (scansBefore[table]?.rows ?? 0) },
      ]),
    );
    log(`sequential scans during B: ${JSON.stringify(seqScans)}`);
    const outcome = await dedupOutcome(db, stagedA);
    return {
      existing,
      stagedA,
      bulk,
      seedA,
      seedSeconds: { staged: seedA.wallMs / 1000, bulk: bulkSeconds },
      candidates,
      run,
      cpuMs: (cpu.user + cpu.system) / 1000,
      postgresCpuMs: pgBefore !== null && pgAfter !== null ? pgAfter - pgBefore : null,
      rssBeforeMiB: before.rss / MiB,
      peakRssMiB: peakRss / MiB,
      heapBeforeMiB: before.heapUsed / MiB,
      peakHeapMiB: peakHeap / MiB,
      outcome,
      seqScans,
    };
  } finally {
    feeds.child.kill();
    await db.database.close();
  }
}

const f = (v: number, d = 0) => v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const perRecordMs = (ms: number, records: number) => f(ms / records, 3);
/** stage ms per record over the first and the last tenth of the run's pages */
function stageDrift(run: PipelineResult): string {
  const tenth = Math.max(1, Math.floor(run.pageStageMs.length / 10));
  const mean = (pages: number[]) => pages.reduce((a, b) => a + b, 0) / pages.length / PAGE_SIZE;
  return `${f(mean(run.pageStageMs.slice(0, tenth)), 3)} → ${f(mean(run.pageStageMs.slice(-tenth)), 3)}`;
}

async function formatSection(points: PointResult[], load: number[]): Promise<string> {
  const m = machineInfo();
  const rows = points.map((p) => {
    const r = p.run;
    return `| ${f(p.existing)} | ${f(p.candidates, 1)} | ${f(r.records)} | ${f(r.wallMs / 1000, 1)} | **${f(r.records / (r.wallMs / 1000))}** | ${perRecordMs(r.wallMs, r.records)} | ${perRecordMs(r.steps.fetch, r.records)} / ${perRecordMs(r.steps.parse, r.records)} / ${perRecordMs(r.steps.normalise, r.records)} / ${perRecordMs(r.steps.stage, r.records)} / ${f(r.steps.removal)} ms | ${stageDrift(r)} | ${f(p.cpuMs / 1000, 1)} | ${p.postgresCpuMs === null ? '–' : f(p.postgresCpuMs / 1000, 1)} | ${f(p.rssBeforeMiB)} → ${f(p.peakRssMiB)} | ${f(p.heapBeforeMiB)} → ${f(p.peakHeapMiB)} |`;
  });
  const outcomes = points.map((p) => {
    const c = p.run.counts;
    const o = p.outcome;
    const scans = (table: string) => `${f(p.seqScans[table]?.scans ?? 0)} (${f(p.seqScans[table]?.rows ?? 0)} rows)`;
    return `| ${f(p.existing)} | ${f(c.new)} / ${f(c.updated)} / ${f(c.unchanged)} / ${f(c.rejected)} | ${f(c.duplicate)} | ${f(o.joinedRight)} / ${f(o.missed)} / ${f(o.wronglyJoined)} | ${f(o.canonicalEvents)} | ${scans('CanonicalEvent')} / ${scans('SourceRecord')} |`;
  });
  const seeds = points.map(
    (p) =>
      `| ${f(p.existing)} | ${f(p.stagedA)} in ${f(p.seedSeconds.staged, 1)} s (${f(p.stagedA / p.seedSeconds.staged)}/s) | ${p.bulk ? `${f(p.bulk)} in ${f(p.seedSeconds.bulk, 1)} s` : '–'} |`,
  );
  return `${START}
## Ingest throughput (\`bench/src/ingest-throughput.ts\`)

Run with \`npx tsx bench/src/ingest-throughput.ts\` on ${new Date().toISOString()} (${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB,
Node ${m.node}, PostgreSQL ${await postgresVersion()} on the same machine, load average at start ${load.map((v) => v.toFixed(2)).join(' / ')}).
Parameters: BENCH_INGEST_RECORDS=${INCOMING}, BENCH_INGEST_EXISTING=${POINTS.join(',')}, BENCH_INGEST_SEEDED=${SEEDED},
pages of ${PAGE_SIZE} records (one staging transaction per page), a fresh database \`${INGEST_DB}\` per point.

What runs: a complete run of source B, a partner JSON API served page by page by a local \`node:http\` server in
a process of its own, through ingest's own code: \`fetchFeed\` (real HTTP, a fresh connection per page) →
\`parseFeed\` (JSON field mapping) → \`normaliseRecord\` (sanitising, gazetteer place resolution, categories,
identity) → \`stageRecords\` (bulk upsert, blocking candidates, \`chooseCanonical\`, canonical recompute,
moderation on arrival, outbox rows for approved events) → \`markMissingRemoved\`. B's records are events at
venues in the 400 largest cities over 2027: half retell one of A's events (other title wording, start moved by
up to 30 minutes, coordinates a few hundred metres off or absent, another URL), half are B's own. Before B,
source A (trusted, auto-approving) was staged through the same pipeline; at the 1,000,000 point the canonical
events beyond A's were inserted in bulk (\`INSERT … SELECT generate_series\` straight into \`CanonicalEvent\`:
approved events at the world's 5,000 largest cities, the feeds' 400 among them, over 2027–2028), because staging
900,000 more records would take longer than the bench's budget; then \`VACUUM ANALYZE\`.
"Block" is the mean number of canonical events in a B record's blocking window (its geohash-4 cell and the 8
around it, ±36 h), i.e. what dedup has to look at per record. CPU is this process's (the pipeline; the feed
server is another process) and the PostgreSQL server's, over B's run; memory is this process's, sampled every 50 ms.

| existing canonical events | block | records | wall s | records/s | ms/record | fetch / parse / normalise / stage ms per record, removal | stage ms/record, first → last tenth of pages | CPU s (bench) | CPU s (PostgreSQL) | RSS MiB before → peak | heap MiB before → peak |
|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|
${rows.join('\n')}

What B's run did (staging's counts, and the outcome against the generator's truth):

| existing | new / updated / unchanged / rejected | joined an existing event | retellings joined A's event / missed / own events wrongly joined | canonical events after | sequential scans during the run: CanonicalEvent / SourceRecord |
|---:|---|---:|---|---:|---|
${outcomes.join('\n')}

Seeding (not part of the measured run):

| existing | A staged through the pipeline | bulk canonical events |
|---:|---|---|
${seeds.join('\n')}

${keptNotes()}
${END}`;
}

const resultsFile = () => join(benchDir, 'RESULTS.md');

/** the hand-written interpretation inside the section, kept when the numbers are rewritten */
function keptNotes(): string {
  const current = existsSync(resultsFile()) ? readFileSync(resultsFile(), 'utf8') : '';
  const start = current.indexOf(NOTES);
  const end = current.indexOf(NOTES_END);
  if (start >= 0 && end > start) return current.slice(start, end + NOTES_END.length);
  return `${NOTES}\n${NOTES_END}`;
}

function writeSection(section: string): void {
  const current = existsSync(resultsFile()) ? readFileSync(resultsFile(), 'utf8') : '# Eventgraph benchmarks\n';
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + section + current.slice(end + END.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(resultsFile(), next);
}

async function main() {
  const load = loadavg();
  const points: PointResult[] = [];
  try {
    for (const existing of POINTS) points.push(await runPoint(existing));
  } finally {
    if (process.env.BENCH_INGEST_KEEP !== '1') await dropDatabase();
  }
  const section = await formatSection(points, load);
  console.log(section);
  if (process.env.BENCH_INGEST_WRITE !== '0') {
    writeSection(section);
    log(`updated ${resultsFile()}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
