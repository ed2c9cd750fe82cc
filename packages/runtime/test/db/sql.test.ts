import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Pool } from 'pg';
import { isTransactionConflict, translateDatabaseError } from '../../src/errors';
import { literal, pgliteSql, poolSql, SqlError, type SqlDatabase } from '../../src/db/sql';
import { describeIfReachable, PG_URL } from '../bus/helpers';

const TABLE = `CREATE TABLE "Item" ("id" uuid PRIMARY KEY, "name" text NOT NULL, "at" timestamptz NOT NULL, CONSTRAINT "Item_name_key" UNIQUE ("name"))`;

/** The same behaviour on the PostgreSQL server and on PGlite. */
function behavesAsPlainSql(open: () => Promise<{ sql: SqlDatabase; statements: () => number; close(): Promise<void> }>) {
  let db: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(() => db.close());

  const insert = (sql: Pick<SqlDatabase, 'execute'>, name: string) =>
    sql.execute(`INSERT INTO "Item" ("id", "name", "at") VALUES ($1::uuid, $2, $3::timestamptz)`, [
      randomUUID(),
      name,
      new Date('2026-07-01T18:00:00.000Z'),
    ]);

  it('returns rows with their types, counts changed rows and every statement', async () => {
    const before = db.statements();
    expect(await insert(db.sql, 'first')).toBe(1);
    const rows = await db.sql.query<{ name: string; at: Date; n: number }>(
      `SELECT "name", "at", 1::int AS n FROM "Item" WHERE "name" = $1`,
      ['first'],
    );
    expect(rows).toEqual([{ name: 'first', at: new Date('2026-07-01T18:00:00.000Z'), n: 1 }]);
    expect(await db.sql.execute(`UPDATE "Item" SET "name" = "name" WHERE "name" = $1`, ['nobody'])).toBe(0);
    expect(db.statements() - before).toBe(3);
  });

  it('commits a transaction that resolves and keeps nothing of one that throws', async () => {
    await db.sql.transaction((tx) => insert(tx, 'kept'));
    await expect(
      db.sql.transaction(async (tx) => {
        await insert(tx, 'undone');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const names = await db.sql.query<{ name: string }>(`SELECT "name" FROM "Item" WHERE "name" IN ('kept', 'undone')`);
    expect(names).toEqual([{ name: 'kept' }]);
  });

  it('runs atCommit statements with the commit, and none of the transaction when one of them fails', async () => {
    const item = (name: string) =>
      `INSERT INTO "Item" ("id", "name", "at") VALUES (${literal(randomUUID())}::uuid, ${literal(name)}, now())`;
    await db.sql.transaction(async (tx) => {
      tx.atCommit(item(`it's "quoted" \\ and back-slashed`));
      await insert(tx, 'with-commit');
    });
    await expect(
      db.sql.transaction(async (tx) => {
        await insert(tx, 'doomed');
        tx.atCommit(item('with-commit')); // a duplicate name: the commit's round trip fails
      }),
    ).rejects.toMatchObject({ sqlState: '23505' });
    const names = await db.sql.query<{ name: string }>(`SELECT "name" FROM "Item" WHERE "name" IN ($1, $2, $3) ORDER BY "name"`, [
      `it's "quoted" \\ and back-slashed`,
      'with-commit',
      'doomed',
    ]);
    expect(names.map((r) => r.name)).toEqual([`it's "quoted" \\ and back-slashed`, 'with-commit']);
    // the connection is fine afterwards
    expect(await db.sql.query(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
  });

  it('says a refused statement as a SqlError that the runtime translates without SQL', async () => {
    await insert(db.sql, 'taken');
    const refused = await db.sql.transaction((tx) => insert(tx, 'taken')).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SqlError);
    expect(refused).toMatchObject({ sqlState: '23505', constraint: 'Item_name_key' });
    const translated = translateDatabaseError(refused);
    expect(translated?.extensions).toMatchObject({ code: 'CONFLICT', fields: ['name'] });
    expect(translated?.message).toBe('a Item with the same name already exists');
    expect(isTransactionConflict(refused)).toBe(false);
    expect(isTransactionConflict(new SqlError('deadlock detected', '40P01', undefined))).toBe(true);
    // the connection is fine afterwards
    expect(await db.sql.query(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
  });
}

describe('plain SQL on PGlite', () => {
  behavesAsPlainSql(async () => {
    const pglite = new PGlite();
    await pglite.exec(TABLE);
    const metrics = { statements: 0 };
    return { sql: pgliteSql(pglite, metrics), statements: () => metrics.statements, close: () => pglite.close() };
  });
});

describeIfReachable('PostgreSQL', PG_URL)('plain SQL on PostgreSQL', () => {
  const schema = `sql_test_${randomUUID().slice(0, 8)}`;
  behavesAsPlainSql(async () => {
    const admin = new Pool({ connectionString: PG_URL, max: 1 });
    await admin.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"; ${TABLE}`);
    const pool = new Pool({ connectionString: PG_URL, max: 3, options: `-c search_path="${schema}"` });
    const metrics = { statements: 0 };
    return {
      sql: poolSql(pool, metrics),
      statements: () => metrics.statements,
      async close() {
        await pool.end();
        await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
        await admin.end();
      },
    };
  });
});
