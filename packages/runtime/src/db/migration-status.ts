import { Client } from 'pg';
import type { Logger } from '../logger';
import { readMigrations } from './migrations';

/** PostgreSQL: no such table / no such schema (nothing applied yet). */
const NOTHING_YET = new Set(['42P01', '3F000']);

/**
 * The migrations of `prismaDir` that the schema on the server has not applied (finished and not rolled
 * back, in Prisma's `_prisma_migrations`), in order. Reads only: it never takes the migration lock.
 */
export async function pendingMigrations(url: string, schema: string, prismaDir: string): Promise<string[]> {
  const { migrationDirectories } = await readMigrations(prismaDir);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client
      .query<{ name: string }>(
        `SELECT migration_name AS "name" FROM "${schema.replace(/"/g, '""')}"."_prisma_migrations"
         WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      )
      .catch((err: { code?: string }) => {
        if (err.code && NOTHING_YET.has(err.code)) return { rows: [] };
        throw err;
      });
    const applied = new Set(rows.map((r) => r.name));
    return migrationDirectories.map((m) => m.path).filter((name) => !applied.has(name));
  } finally {
    await client.end();
  }
}

export interface WaitForMigrationsOptions {
  url: string;
  schema: string;
  prismaDir: string;
  log: Pick<Logger, 'info' | 'warn'>;
  pollMs?: number;
  /** how often the wait is logged while it lasts */
  reportEveryMs?: number;
}

/**
 * Waits until every migration this code knows has been applied by someone else (the `migrate` role, a
 * Kubernetes Job): replicas starting at once never race to migrate, and none serves an older schema than
 * its code expects. A server not reachable yet is waited for too.
 */
export async function waitForMigrations(options: WaitForMigrationsOptions): Promise<void> {
  const { pollMs = 1_000, reportEveryMs = 15_000 } = options;
  let reportedAt = 0;
  for (;;) {
    let reason: string;
    try {
      const pending = await pendingMigrations(options.url, options.schema, options.prismaDir);
      if (pending.length === 0) return;
      reason = `${pending.length} pending (${pending[pending.length - 1]}); run the migrate role`;
    } catch (err) {
      reason = `database not reachable: ${(err as Error).message}`;
    }
    if (Date.now() - reportedAt >= reportEveryMs) {
      options.log.warn({ schema: options.schema }, `waiting for migrations: ${reason}`);
      reportedAt = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
