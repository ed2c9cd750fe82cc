import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import { escapeLiteral, type Pool, type PoolClient } from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import type { SqlExecutor } from '../bus/outbox';
import { runStatement, type QueryMetrics, type StatementOrigin } from './query-metrics';

/**
 * Plain SQL over a subgraph's own connections, beside its Prisma Client: for the few hot paths
 * (a check-in at a gate) where Prisma's query layer costs more than the statements themselves.
 * Statements take `$1…` parameters. On a PostgreSQL server each distinct statement is prepared
 * once per connection (parsed and planned once, then only bound and run; PLANNED_EACH_TIME opts
 * out), so a statement's text must be fixed: values go in parameters, never into the text.
 */
export interface Sql {
  /** the rows the statement returns */
  query<T>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** how many rows the statement changed */
  execute(text: string, params?: readonly unknown[]): Promise<number>;
}

export interface SqlTransaction extends Sql {
  /**
   * A complete statement (values written with `literal`) run just before the COMMIT, in the same round
   * trip on a server: for writes nothing in the transaction reads back (an outbox row).
   */
  atCommit(statement: string): void;
  /**
   * Where the database can (`SqlDatabase.canCopy`): runs `statement`, a `COPY … FROM STDIN`, streaming `data`
   * (COPY text format, whole lines; see `copyText`) as it is produced, at the pace the server takes it.
   * Resolves with the rows copied; if `data` throws, the COPY is abandoned and the error rethrown.
   */
  copyFrom?(statement: string, data: AsyncIterable<string>): Promise<number>;
}

export interface SqlDatabase extends Sql {
  /** transactions offer `copyFrom`: true on a PostgreSQL server, false on PGlite (no COPY FROM STDIN stream there) */
  readonly canCopy?: boolean;
  /** runs `fn` in one transaction (READ COMMITTED): committed if it resolves, rolled back if it throws */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
}

/** A string as an SQL literal, safe whatever it holds (for `atCommit` statements). */
export const literal = (value: string): string => escapeLiteral(value);

/** A value as a field of COPY's text format: `\\N` for null, backslash, tab and line breaks escaped. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A statement PostgreSQL refused, said the same way for the server and PGlite. */
export class SqlError extends Error {
  constructor(
    message: string,
    /** the SQLSTATE, e.g. 23505 unique violation, 40P01 deadlock */
    readonly sqlState: string | undefined,
    /** the constraint it broke, if any */
    readonly constraint: string | undefined,
  ) {
    super(message);
    this.name = 'SqlError';
  }
}

function asSqlError(err: unknown): unknown {
  if (typeof err !== 'object' || err === null || typeof (err as { code?: unknown }).code !== 'string') return err;
  const { message, code, constraint } = err as { message: string; code: string; constraint?: string };
  return new SqlError(message, code, constraint);
}

/**
 * Starts a statement that is planned each time it runs instead of prepared once per connection: for statements on
 * queue tables (the outbox) that go from empty to thousands of rows, most of them dead, and back. A plan made once,
 * while the table was empty, is a sequential scan, and it is kept: on every run it read the whole table, dead rows
 * and all (in the check-in benchmark, 2.4 ms and 2,000 pages for a relay's batch of five). Planned each time, the
 * plan sees the table's size and takes the index. The planning costs less than that scan, once per batch.
 */
export const PLANNED_EACH_TIME = '/* planned each time */ ';

const statementNames = new Map<string, string>();
/** the same text gets the same name on every connection, so it is prepared once per connection */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `eg_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}

export function poolSql(pool: Pool, metrics: QueryMetrics, origin?: StatementOrigin): SqlDatabase {
  const run = (client: Pool | PoolClient, text: string, params: readonly unknown[] = []) =>
    runStatement(metrics, origin, text, async () => {
      try {
        const values = [...params];
        return await client.query(
          text.startsWith(PLANNED_EACH_TIME) ? { text, values } : { name: statementName(text), text, values },
        );
      } catch (err) {
        throw asSqlError(err);
      }
    });
  const on = (client: Pool | PoolClient): Sql => ({
    query: async <T>(text: string, params?: readonly unknown[]) => (await run(client, text, params)).rows as T[],
    execute: async (text, params) => (await run(client, text, params)).rowCount ?? 0,
  });
  const copyFrom = (client: PoolClient, statement: string, data: AsyncIterable<string>) =>
    runStatement(metrics, origin, statement, async () => {
      const copy = client.query(copyFromStdin(statement));
      try {
        // pipeline waits on the socket's backpressure; on a failure it destroys the stream, which sends CopyFail
        await pipeline(data, copy);
      } catch (err) {
        throw asSqlError(err);
      }
      return copy.rowCount;
    });
  return {
    ...on(pool),
    canCopy: true,
    async transaction(fn) {
      const client = await pool.connect();
      const atCommit: string[] = [];
      const tx: SqlTransaction = {
        ...on(client),
        atCommit: (statement: string) => void atCommit.push(statement),
        copyFrom: (statement, data) => copyFrom(client, statement, data),
      };
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const result = await fn(tx);
        // one simple-protocol message: an error in a statement skips the COMMIT, and the catch rolls back
        metrics.statements += atCommit.length;
        await client.query([...atCommit, 'COMMIT'].join(';\n'));
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: unknown) => (broken = rollbackErr));
        throw asSqlError(err);
      } finally {
        // a connection that could not even roll back is not given to anyone else
        client.release(broken as Error | undefined);
      }
    },
  };
}

export function pgliteSql(pglite: PGlite, metrics: QueryMetrics, origin?: StatementOrigin): SqlDatabase {
  const run = <T>(db: PGlite | PGliteTransaction, text: string, params: readonly unknown[] = []) =>
    runStatement(metrics, origin, text, async () => {
      try {
        return await db.query<T>(text, [...params]);
      } catch (err) {
        throw asSqlError(err);
      }
    });
  const on = (db: PGlite | PGliteTransaction): Sql => ({
    query: async <T>(text: string, params?: readonly unknown[]) => (await run<T>(db, text, params)).rows,
    execute: async (text, params) => (await run(db, text, params)).affectedRows ?? 0,
  });
  return {
    ...on(pglite),
    canCopy: false,
    async transaction(fn) {
      try {
        return await pglite.transaction(async (tx) => {
          const atCommit: string[] = [];
          const result = await fn({ ...on(tx), atCommit: (statement) => void atCommit.push(statement) });
          metrics.statements += atCommit.length;
          if (atCommit.length) await tx.exec(atCommit.join(';\n'));
          return result;
        });
      } catch (err) {
        throw asSqlError(err);
      }
    },
  };
}

/** A Prisma client or transaction as Sql, for statements shared between a plain-SQL path and a Prisma transaction. */
export const sqlOf = (client: SqlExecutor): Sql => ({
  query: (text, params = []) => client.$queryRawUnsafe(text, ...params),
  execute: (text, params = []) => client.$executeRawUnsafe(text, ...params),
});

/** Sql as the raw-SQL slice of a Prisma client (what the outbox and relay take). */
export const executorOf = (sql: Sql): SqlExecutor => ({
  $queryRawUnsafe: async <T>(text: string, ...values: unknown[]) => (await sql.query(text, values)) as T,
  $executeRawUnsafe: (text: string, ...values: unknown[]) => sql.execute(text, values),
});
