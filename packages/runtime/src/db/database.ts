import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { Pool } from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { memorySnapshot } from './memory-snapshot';
import { applyMigrations } from './migrations';
import { withQueryMetrics, type QueryMetrics } from './query-metrics';
import { pgliteSql, poolSql, type SqlDatabase } from './sql';

/** Where a subgraph's data lives: the embedded default, or a schema on a PostgreSQL server. */
export type DatabaseLocation =
  | { kind: 'embedded'; dataDir: string | 'memory' }
  | { kind: 'server'; url: string; /** defaults to the subgraph name */ schema?: string };

export function databaseLocation(settings: { DATABASE_URL?: string; EVENTGRAPH_DATA_DIR: string }): DatabaseLocation {
  if (settings.DATABASE_URL) return { kind: 'server', url: settings.DATABASE_URL };
  return { kind: 'embedded', dataDir: settings.EVENTGRAPH_DATA_DIR };
}

/** The parts of a generated Prisma Client the runtime relies on. */
export interface PrismaLike {
  $disconnect(): Promise<void>;
  $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>;
}

export interface Database<Client extends PrismaLike> {
  client: Client;
  location: DatabaseLocation;
  /** the Postgres schema holding this subgraph's tables */
  schema: string;
  /** migrations applied when it was opened */
  appliedMigrations: string[];
  /** statements run through the client since it was opened */
  metrics: QueryMetrics;
  /** plain SQL over the same connections, for hot paths (see sql.ts) */
  sql: SqlDatabase;
  /** server mode: the connection pool's use; undefined on PGlite (one in-process connection) */
  poolUse?(): PoolUse;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions<Client> {
  /** subgraph name: its data directory under the data folder, or its schema on the server */
  name: string;
  /** the subgraph's `prisma/` folder (schema.prisma and migrations/) */
  prismaDir: string;
  location: DatabaseLocation;
  createClient(adapter: SqlMigrationAwareDriverAdapterFactory): Client;
  /** apply pending migrations before returning (default true) */
  migrate?: boolean;
  /** server mode: connections in the pool */
  poolSize?: number;
}

/** Connections of a server-mode pool: open ones, idle ones, and callers waiting for one. */
export interface PoolUse {
  total: number;
  idle: number;
  waiting: number;
}

/** A connection to one subgraph's database, through the driver adapter Prisma uses. */
export interface Driver {
  factory: SqlMigrationAwareDriverAdapterFactory;
  metrics: QueryMetrics;
  sql: SqlDatabase;
  schema: string;
  /** embedded in memory: the PGlite itself (for snapshots) */
  pglite?: PGlite;
  /** server mode: its connection pool's use, for metrics (PGlite is one in-process connection, no pool) */
  poolUse?(): PoolUse;
  close(): Promise<void>;
}

/**
 * Connects to a subgraph's database.
 * Embedded: one PGlite data directory per subgraph (or memory, for tests).
 * Server: one schema per subgraph, selected through the connection's search_path
 * so the same migrations run unchanged in both places.
 */
export async function openDriver(name: string, location: DatabaseLocation, poolSize = 10, snapshot?: Blob): Promise<Driver> {
  if (location.kind === 'embedded') {
    const dataDir = location.dataDir === 'memory' ? undefined : resolve(location.dataDir, name);
    if (dataDir) await mkdir(dataDir, { recursive: true });
    // a fresh database starts from the snapshot of one with every migration applied (see memory-snapshot.ts)
    const pglite = dataDir
      ? new PGlite(dataDir, snapshot ? { loadDataDir: snapshot } : {})
      : new PGlite(snapshot ? { loadDataDir: snapshot } : {});
    await pglite.waitReady;
    const origin = { service: name, namespace: name };
    const counted = withQueryMetrics(new PrismaPGlite(pglite), origin);
    return { ...counted, sql: pgliteSql(pglite, counted.metrics, origin), schema: 'public', pglite, close: () => pglite.close() };
  }
  const schema = location.schema ?? name;
  await ensureSchema(location.url, schema);
  const pool = new Pool({ connectionString: location.url, max: poolSize, options: `-c search_path="${schema}"` });
  const origin = { service: name, namespace: schema };
  const counted = withQueryMetrics(new PrismaPg(pool, { schema }), origin);
  return {
    ...counted,
    sql: poolSql(pool, counted.metrics, origin),
    schema,
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}

/** Opens a subgraph's database, applies pending migrations and creates its Prisma Client. */
export async function openDatabase<Client extends PrismaLike>(options: OpenDatabaseOptions<Client>): Promise<Database<Client>> {
  let appliedMigrations: string[] = [];
  // On a server, migrate over a connection of its own that is closed afterwards: the schema
  // engine takes a session-level advisory lock, which a pooled connection would keep holding.
  if (options.migrate !== false && options.location.kind === 'server') {
    const migrator = await openDriver(options.name, options.location, 1);
    try {
      appliedMigrations = await applyMigrations(migrator.factory, options.prismaDir);
    } finally {
      await migrator.close();
    }
  }
  const inMemory = options.location.kind === 'embedded' && options.location.dataDir === 'memory';
  // a data directory with no database yet starts from the snapshot too (a first start, a test's temp directory)
  const fresh =
    options.location.kind === 'embedded' &&
    !inMemory &&
    !existsSync(resolve(options.location.dataDir, options.name, 'PG_VERSION'));
  const snapshot =
    options.migrate !== false && (inMemory || fresh) ? await memorySnapshot(options.name, options.prismaDir) : undefined;
  const driver = await openDriver(options.name, options.location, options.poolSize, snapshot?.data);
  try {
    if (options.migrate !== false && options.location.kind === 'embedded' && !snapshot?.data) {
      appliedMigrations = await applyMigrations(driver.factory, options.prismaDir);
      await snapshot?.save(driver.pglite!);
    }
  } catch (err) {
    await driver.close();
    throw err;
  }
  const client = options.createClient(driver.factory);
  return {
    client,
    location: options.location,
    schema: driver.schema,
    appliedMigrations,
    metrics: driver.metrics,
    sql: driver.sql,
    poolUse: driver.poolUse,
    async ping() {
      try {
        await client.$queryRawUnsafe('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await client.$disconnect();
      await driver.close();
    },
  };
}

async function ensureSchema(url: string, schema: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (err) {
    // two processes creating the same schema at once: the loser sees a unique violation
    if ((err as { code?: string }).code !== '23505') throw err;
  } finally {
    await pool.end();
  }
}

/** Drops every schema whose name starts with `prefix` (tests and benchmarks clean up their own). */
export async function dropSchemas(url: string, prefix: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await pool.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [
      `${prefix}%`,
    ]);
    for (const { nspname } of rows) await pool.query(`DROP SCHEMA "${nspname}" CASCADE`);
  } finally {
    await pool.end();
  }
}
