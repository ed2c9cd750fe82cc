#!/usr/bin/env node
// Creates the database named in a PostgreSQL URL when it does not exist yet:
//   node scripts/ensure-database.mjs postgresql://postgres@127.0.0.1:5432/eventgraph_test
import pg from 'pg';

const url = new URL(process.argv[2] ?? process.env.DATABASE_URL ?? '');
const name = decodeURIComponent(url.pathname.slice(1));
if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name "${name}"`);
const admin = new URL(url);
admin.pathname = '/postgres';
const client = new pg.Client({ connectionString: admin.toString() });
await client.connect();
try {
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  console.log(`database ${name} ${rowCount ? 'exists' : 'created'}`);
} finally {
  await client.end();
}
