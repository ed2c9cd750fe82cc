import { spawnSync } from 'node:child_process';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Pool, PoolClient } from 'pg';
import type { BusEvent, BusLogger, BusTransport, SqlExecutor, TransactionalDb } from '../../src/bus';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** The tiny wrapper that makes PGlite look like a Prisma client to the bus. */
export function pgliteDb(pg: PGlite): TransactionalDb {
  const executor = (q: PGlite | Transaction): SqlExecutor => ({
    $executeRawUnsafe: async (sql, ...values) => (await q.query(sql, values)).affectedRows ?? 0,
    $queryRawUnsafe: async <T>(sql: string, ...values: unknown[]) => (await q.query(sql, values)).rows as T,
  });
  return { ...executor(pg), $transaction: (fn) => pg.transaction((tx) => fn(executor(tx))) };
}

/** Same for a pg pool: a transaction holds one pooled connection. */
export function pgPoolDb(pool: Pool): TransactionalDb {
  const executor = (q: Pool | PoolClient): SqlExecutor => ({
    $executeRawUnsafe: async (sql, ...values) => (await q.query(sql, values)).rowCount ?? 0,
    $queryRawUnsafe: async <T>(sql: string, ...values: unknown[]) => (await q.query(sql, values)).rows as T,
  });
  return {
    ...executor(pool),
    async $transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

export const silentLogger: BusLogger = { warn: () => undefined, error: () => undefined };

/** A logger that keeps what it was told, for asserting that failures were reported. */
export function recordingLogger(): BusLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (_o, msg) => void lines.push(`warn ${msg}`), error: (_o, msg) => void lines.push(`error ${msg}`) };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await sleep(5);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Records what it is asked to publish; `fail` makes the next publishes throw (after or before "sending"). */
export class RecordingTransport implements BusTransport {
  published: BusEvent[] = [];
  calls = 0;
  failMode: 'none' | 'before' | 'after' = 'none';
  delayMs = 0;

  async publish(events: BusEvent[]): Promise<void> {
    this.calls++;
    if (this.delayMs) await sleep(this.delayMs);
    if (this.failMode === 'before') throw new Error('transport down');
    this.published.push(...events);
    if (this.failMode === 'after') throw new Error('ack lost after publishing');
  }
  subscribe(): never {
    throw new Error('not used');
  }
  async close(): Promise<void> {}
}

/**
 * Whether a TCP server answers, checked synchronously so a suite can pick
 * describe or describe.skip at load time (Jest cannot skip from inside a hook).
 */
export function reachable(url: string): boolean {
  const { hostname, port } = new URL(url);
  const probe = `const s=require('net').connect(${Number(port)},${JSON.stringify(hostname)});s.setTimeout(1500);s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));s.on('timeout',()=>process.exit(1));`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 3_000 }).status === 0;
}

/** describe, or describe.skip with a visible note when the server is not there. */
export function describeIfReachable(server: string, url: string): jest.Describe {
  if (reachable(url)) return describe;
  console.warn(`SKIPPED: ${server} at ${url} is unreachable; its bus tests did not run`);
  return describe.skip;
}
