/**
 * The search benchmark's database half (search.ts): the SQL of a search sent straight to PostgreSQL, closed loop at
 * fixed concurrency, as it is now (search keys, page and count in one statement) and as it was before (keyword GIN
 * scan ANDed with the latitude/longitude box, then a separate count), so the index design is compared on the same
 * data in the same minutes — on a shared machine, numbers taken hours apart say little.
 */
import { Pool } from 'pg';
import { ANONYMOUS, parseId } from '@eventgraph/runtime';
import { checkSearch, EXACT_COUNT_LIMIT } from '@eventgraph/subgraph-events/src/domain/search';
import { Prisma } from '@eventgraph/subgraph-events/src/generated/prisma/client';
import { countedPageSql, searchPageSql, searchWhere } from '@eventgraph/subgraph-events/src/search-sql';
import { benchDatabaseUrl, sleep, summarize } from './common';
import { filterFor } from './search-data';

export interface SqlLoadRow {
  query: string;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  requests: number;
}

const filterOf = (i: number) => {
  const input = filterFor(i);
  return checkSearch({ ...input, from: new Date(input.from), to: new Date(input.to) }, 'START', parseId);
};

/** What one anonymous searchEvents(sort: START, first: 20) { totalCount … } sends, per design. */
const DESIGNS: { query: string; statements: (i: number) => Prisma.Sql[] }[] = [
  {
    query: 'now: search keys, page and exact count in one statement',
    statements: (i) => [countedPageSql(filterOf(i), 'START', ANONYMOUS, 21, EXACT_COUNT_LIMIT)],
  },
  {
    query: 'before: keyword GIN scan AND latitude/longitude box, then count(*)',
    statements: (i) => [
      searchPageSql(filterOf(i), 'START', ANONYMOUS, 21, undefined, { keys: false }),
      Prisma.sql`SELECT count(*)::int FROM "Event" e WHERE ${searchWhere(filterOf(i), ANONYMOUS, { keys: false })}`,
    ],
  },
];

/** Each design in turn: `concurrency` connections, each sending the next search as soon as the last one answered. */
export async function runSqlLoad(
  schema: string,
  options: { concurrency: number; warmupMs: number; durationMs: number },
): Promise<SqlLoadRow[]> {
  const pool = new Pool({
    connectionString: benchDatabaseUrl(),
    max: options.concurrency,
    options: `-c search_path="${schema}"`,
  });
  const rows: SqlLoadRow[] = [];
  try {
    for (const design of DESIGNS) {
      const latencies: number[] = [];
      let next = 0;
      const began = performance.now();
      const measureFrom = began + options.warmupMs;
      const until = measureFrom + options.durationMs;
      const user = async () => {
        const client = await pool.connect();
        try {
          while (performance.now() < until) {
            const at = performance.now();
            for (const statement of design.statements(next++ % 200))
              await client.query(statement.text, statement.values as unknown[]);
            if (at >= measureFrom) latencies.push(performance.now() - at);
          }
        } finally {
          client.release();
        }
      };
      await Promise.all(Array.from({ length: options.concurrency }, user));
      const s = summarize(latencies);
      rows.push({
        query: design.query,
        rps: latencies.length / (options.durationMs / 1000),
        p50: s.p50,
        p90: s.p90,
        p99: s.p99,
        requests: latencies.length,
      });
      await sleep(500);
    }
  } finally {
    await pool.end();
  }
  return rows;
}
