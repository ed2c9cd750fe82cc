/**
 * The search benchmark's report (search.ts): its section of bench/RESULTS.md, between <!-- search --> and
 * <!-- /search --> (other sections kept). A reading written by hand between <!-- search-interpretation --> and
 * <!-- /search-interpretation --> inside it survives the next run.
 */
import { EXACT_COUNT_LIMIT } from '@eventgraph/subgraph-events/src/domain/search';
import { insertMarkedSection, ms, readMarkedSection } from './common';
import type { SqlLoadRow } from './search-sql-load';

export interface SearchBenchOptions {
  events: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export const DEFAULT_SEARCH_OPTIONS: SearchBenchOptions = {
  events: Number(process.env.BENCH_SEARCH_EVENTS ?? 1_000_000),
  concurrency: Number(process.env.BENCH_SEARCH_CONCURRENCY ?? 8),
  warmupMs: Number(process.env.BENCH_WARMUP_MS ?? 2_000),
  durationMs: Number(process.env.BENCH_DURATION_MS ?? 15_000),
};

export interface SearchBenchResult {
  options: SearchBenchOptions;
  loadSeconds: number;
  rows: {
    query: string;
    rps: number;
    p50: number;
    p90: number;
    p99: number;
    requests: number;
    errors: number;
    errorSamples: string[];
  }[];
  plans: { query: string; plan: string }[];
  /** the SQL alone, straight to PostgreSQL at the same concurrency: now and before the search keys */
  sqlRows: SqlLoadRow[];
  /** the 200 filters once each, one at a time: how totalCount came out, and the latency without concurrency */
  sequential: { exact: number; estimated: number; minCount: number; maxCount: number; p50: number; p99: number };
  /** the search document's GIN index and the table, after loading */
  sizes: { index: string; table: string; keysPerEvent: number };
  machine: string;
}

const START = '<!-- search -->';
const END = '<!-- /search -->';

const READING_START = '<!-- search-interpretation -->';
const READING_END = '<!-- /search-interpretation -->';

/** The numbers of the last run without search keys, for comparison. */
const BEFORE_KEYS =
  'Before the search keys (2026-11-21, this benchmark on the same kind of machine, load average 4.8–6.2; a GIN keyword scan ANDed with the (latitude, longitude) index, then a separate count(*)): 31 req/s, p50 254–261 ms, p99 428–461 ms through the gateway at concurrency 8.';

/** The hand-written reading inside the current section, which the next run keeps. */
function keptReading(): string {
  const section = readSearchSection() ?? '';
  const [start, end] = [section.indexOf(READING_START), section.indexOf(READING_END)];
  return start >= 0 && end > start
    ? section.slice(start, end + READING_END.length)
    : `${READING_START}\n_(no reading written yet)_\n${READING_END}`;
}

export function formatSearchSection(result: SearchBenchResult, machine = result.machine, reading = keptReading()): string {
  const q = result.sequential;
  const lines = [
    START,
    '## 4. Search (`bench/src/search.ts`)',
    '',
    `${result.options.events.toLocaleString('en')} events (90% published, 200 venues around 20 European cities, start times over 2027) bulk-inserted with \`INSERT … SELECT generate_series\` in ${result.loadSeconds.toFixed(0)} s (search documents, search keys and coordinates built by the discovery trigger; the search document's GIN index dropped for the load and built again after it), then \`ANALYZE\`. Closed-loop load through the gateway (development credential), concurrency ${result.options.concurrency}, ${result.options.durationMs / 1000} s after ${result.options.warmupMs / 1000} s warm-up, 200 different filters round-robin (a keyword in 20% of the events, a one-month range, 25 km around a city), first: 20 with totalCount and totalCountIsEstimate. ${machine}`,
    '',
    '| query | req/s | p50 ms | p90 ms | p99 ms | errors / requests |',
    '|---|---:|---:|---:|---:|---:|',
    ...result.rows.map(
      (r) => `| ${r.query} | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${r.errors} / ${r.requests} |`,
    ),
    '',
    `The SQL alone, sent straight to PostgreSQL by ${result.options.concurrency} connections in a closed loop (${result.options.durationMs / 1000} s after ${result.options.warmupMs / 1000} s warm-up, the same 200 filters, anonymous, sort START, with the count), in the same minutes as the rows above:`,
    '',
    '| SQL of one search | searches/s | p50 ms | p90 ms | p99 ms | searches |',
    '|---|---:|---:|---:|---:|---:|',
    ...result.sqlRows.map(
      (r) => `| ${r.query} | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${r.requests} |`,
    ),
    '',
    `The same 200 filters once each, one at a time (sort START): p50 ${ms(q.p50)} ms, p99 ${ms(q.p99)} ms; totalCount exact in ${q.exact} answers and estimated in ${q.estimated} (exact up to ${EXACT_COUNT_LIMIT.toLocaleString('en')} matches; here ${q.minCount}–${q.maxCount}).`,
    '',
    BEFORE_KEYS,
    '',
    reading,
    '',
    `Index: \`Event_searchDocument_idx\`, GIN over the search document, which now also holds ${result.sizes.keysPerEvent.toFixed(1)} search keys per event (place cells at five sizes, each also with the event's month, and the event's days and months): ${result.sizes.index} (the table with all its indexes: ${result.sizes.table}). Design and trade-offs: docs/architecture.md, "Search". The keyword and the place-and-month key (each cell around the circle with each month of the range) are conditions of their own on that index, so GIN intersects their posting lists in one Bitmap Index Scan and the heap is read only for the rows that match both; the exact radius and range are checked on those rows.`,
    '',
    ...result.plans.flatMap((p) => [`EXPLAIN (ANALYZE, BUFFERS), ${p.query}:`, '', '```', p.plan, '```', '']),
    END,
  ];
  return lines.join('\n');
}

/** The search section of RESULTS.md as it is (run.ts keeps it when it rewrites the file with BENCH_SKIP_SEARCH=1). */
export const readSearchSection = (): string | null => readMarkedSection('search');

export const writeSearchSection = (result: SearchBenchResult, machine = result.machine) =>
  insertSearchSection(formatSearchSection(result, machine));

export const insertSearchSection = (section: string): void => insertMarkedSection('search', section);
