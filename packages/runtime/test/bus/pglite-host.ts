import { Worker } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import type { SqlExecutor, TransactionalDb } from '../../src/bus';
import { pgliteDb } from './helpers';

/**
 * A real in-memory PGlite for the tests. PGlite's CommonJS bundle loads its
 * wasm with dynamic import(), which Jest's module runtime only allows under
 * `node --experimental-vm-modules`. With the flag, PGlite runs in the test
 * itself; without it, it runs in a worker thread (plain Node) and the tests
 * talk to it by message. Either way it is one PGlite: one connection, whose
 * transactions serialize everything else, as in the embedded deployment.
 */
export interface TestPGlite {
  db: TransactionalDb;
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const vmModulesEnabled = () =>
  [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('--experimental-vm-modules'));

export async function openTestPGlite(): Promise<TestPGlite> {
  if (vmModulesEnabled()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the VM-modules flag allows it
    const { PGlite: PGliteClass } = require('@electric-sql/pglite') as { PGlite: typeof PGlite };
    const pg = new PGliteClass();
    await pg.waitReady;
    return {
      db: pgliteDb(pg),
      exec: async (sql) => void (await pg.exec(sql)),
      query: async <T>(sql: string, params?: unknown[]) => (await pg.query<T>(sql, params)).rows,
      close: () => pg.close(),
    };
  }
  return openInWorker();
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);
const pg = new PGlite();
const txs = new Map();
let nextTx = 1;
const target = (tx) => (tx ? txs.get(tx).tx : pg);
parentPort.on('message', async ({ id, op, sql, params, tx }) => {
  const reply = (result) => parentPort.postMessage({ id, result });
  try {
    if (op === 'query') {
      const r = await target(tx).query(sql, params);
      return reply({ rows: r.rows, affectedRows: r.affectedRows ?? 0 });
    }
    if (op === 'exec') return reply(void (await pg.exec(sql)));
    if (op === 'begin') {
      const txId = nextTx++;
      const entry = {};
      entry.done = pg.transaction((t) => new Promise((resolve, reject) => {
        Object.assign(entry, { tx: t, resolve, reject });
        reply(txId);
      }));
      entry.done.catch(() => undefined);
      return void txs.set(txId, entry);
    }
    if (op === 'commit' || op === 'rollback') {
      const entry = txs.get(tx);
      txs.delete(tx);
      if (op === 'commit') {
        entry.resolve();
        await entry.done; // COMMIT has run (or thrown) before we answer
      } else {
        entry.reject(new Error('rollback'));
        await entry.done.catch(() => undefined);
      }
      return reply(undefined);
    }
    if (op === 'close') return reply(void (await pg.close()));
    throw new Error('unknown op ' + op);
  } catch (err) {
    parentPort.postMessage({ id, error: { message: err.message, code: err.code } });
  }
});
`;

async function openInWorker(): Promise<TestPGlite> {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pglitePath: require.resolve('@electric-sql/pglite') } });
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  worker.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: { message: string; code?: string } }) => {
    const call = pending.get(id);
    pending.delete(id);
    if (error) call?.reject(Object.assign(new Error(error.message), { code: error.code }));
    else call?.resolve(result);
  });
  worker.on('error', (err) => pending.forEach((p) => p.reject(err)));
  const call = <T>(message: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...message });
    });

  const executor = (tx?: number): SqlExecutor => ({
    $executeRawUnsafe: async (sql, ...params) =>
      (await call<{ affectedRows: number }>({ op: 'query', sql, params, tx })).affectedRows,
    $queryRawUnsafe: async <T>(sql: string, ...params: unknown[]) =>
      (await call<{ rows: unknown }>({ op: 'query', sql, params, tx })).rows as T,
  });
  const db: TransactionalDb = {
    ...executor(),
    async $transaction(fn) {
      const tx = await call<number>({ op: 'begin' });
      let result;
      try {
        result = await fn(executor(tx));
      } catch (err) {
        await call({ op: 'rollback', tx });
        throw err;
      }
      await call({ op: 'commit', tx });
      return result;
    },
  };
  await call({ op: 'query', sql: 'SELECT 1', params: [] }); // fail here, not in the test, if PGlite cannot start
  return {
    db,
    exec: (sql) => call({ op: 'exec', sql }),
    query: async <T>(sql: string, params: unknown[] = []) => (await call<{ rows: T[] }>({ op: 'query', sql, params })).rows,
    async close() {
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}
