import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Pool } from 'pg';
import { isTransactionConflict, translateDatabaseError } from '../../src/errors';
import { copyText, literal, pgliteSql, PLANNED_EACH_TIME, poolSql, SqlError, type SqlDatabase } from '../../src/db/sql';
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
  it('offers no COPY (imports keep their batched path there)', async () => {
    const pglite = new PGlite();
    const sql = pgliteSql(pglite, { statements: 0 });
    expect(sql.canCopy).toBe(false);
    expect(await sql.transaction(async (tx) => tx.copyFrom)).toBeUndefined();
    await pglite.close();
  });
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

describeIfReachable('PostgreSQL', PG_URL)('prepared statements on PostgreSQL', () => {
  it('prepares a statement once per connection, and plans one marked PLANNED_EACH_TIME each time it runs', async () => {
    const pool = new Pool({ connectionString: PG_URL, max: 1 }); // one connection: every statement on it
    const sql = poolSql(pool, { statements: 0 });
    try {
      const prepared = `SELECT count(*)::int AS n FROM generate_series(1, $1::int)`;
      const planned = `${PLANNED_EACH_TIME}SELECT count(*)::int AS n FROM generate_series(2, $1::int)`;
      for (let i = 0; i < 7; i++) {
        expect(await sql.query(prepared, [10])).toEqual([{ n: 10 }]);
        expect(await sql.query(planned, [10])).toEqual([{ n: 9 }]);
      }
      const statements = await sql.query<{ statement: string; runs: number }>(
        `SELECT "statement", ("generic_plans" + "custom_plans")::int AS "runs" FROM pg_prepared_statements`,
      );
      // the first after 7 runs: a plan kept from the earlier ones; the marked one: never kept on the connection
      expect(statements.find((s) => s.statement === prepared)?.runs).toBe(7);
      expect(statements.filter((s) => s.statement.includes('generate_series(2'))).toEqual([]);
    } finally {
      await pool.end();
    }
  });
});

describeIfReachable('PostgreSQL', PG_URL)('COPY on PostgreSQL', () => {
  const schema = `copy_test_${randomUUID().slice(0, 8)}`;
  let admin: Pool;
  let pool: Pool;
  let sql: SqlDatabase;
  beforeAll(async () => {
    admin = new Pool({ connectionString: PG_URL, max: 1 });
    await admin.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"; CREATE TABLE "Line" ("n" int, "text" text)`);
    pool = new Pool({ connectionString: PG_URL, max: 1, options: `-c search_path="${schema}"` });
    sql = poolSql(pool, { statements: 0 });
  });
  afterAll(async () => {
    await pool.end();
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  });

  it('streams rows in a transaction, text escaped, as many as the generator makes', async () => {
    const odd = ['tab\there', 'back\\slash', 'line\nbreak\r', 'plain'];
    async function* lines() {
      for (let start = 0; start < 50_000; start += 1000) {
        let chunk = '';
        for (let n = start; n < start + 1000; n++)
          chunk += `${n}\t${copyText(n < odd.length ? odd[n]! : n % 7 ? `row ${n}` : null)}\n`;
        yield chunk;
      }
    }
    expect(sql.canCopy).toBe(true);
    expect(await sql.transaction((tx) => tx.copyFrom!('COPY "Line" ("n", "text") FROM STDIN', lines()))).toBe(50_000);
    const rows = await sql.query<{ n: number; text: string | null }>(`SELECT "n", "text" FROM "Line" WHERE "n" < 8 ORDER BY "n"`);
    expect(rows.map((r) => r.text)).toEqual([...odd, 'row 4', 'row 5', 'row 6', null]);
  });

  it('a generator that fails mid-COPY rolls the transaction back and leaves the connection usable', async () => {
    async function* failing() {
      yield '100000\tfirst\n';
      throw new Error('the upload broke off');
    }
    await expect(
      sql.transaction(async (tx) => {
        await tx.execute(`INSERT INTO "Line" VALUES (-1, 'before the copy')`);
        await tx.copyFrom!('COPY "Line" ("n", "text") FROM STDIN', failing());
      }),
    ).rejects.toThrow('the upload broke off');
    expect(await sql.query(`SELECT "n" FROM "Line" WHERE "n" IN (-1, 100000)`)).toEqual([]);
    // a row COPY cannot read is the server's refusal, as a SqlError
    await expect(
      sql.transaction((tx) =>
        tx.copyFrom!(
          'COPY "Line" ("n", "text") FROM STDIN',
          (async function* () {
            yield 'x\ty\n';
          })(),
        ),
      ),
    ).rejects.toMatchObject({ sqlState: '22P02' });
    expect(await sql.query(`SELECT count(*)::int AS n FROM "Line"`)).toEqual([{ n: 50_000 }]);
  });
});
