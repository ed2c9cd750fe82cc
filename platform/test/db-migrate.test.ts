import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

it('npm run db:migrate brings every subgraph database up to date, once', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eventgraph-data-'));
  try {
    const env = { ...process.env, NODE_OPTIONS: '', EVENTGRAPH_DATA_DIR: dataDir, DATABASE_URL: '' };
    const script = [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'platform', 'src', 'db-migrate.ts')];
    const first = await run(process.execPath, script, { env, cwd: ROOT });
    for (const name of ['users', 'events', 'access', 'ingest'])
      expect(first.stdout).toMatch(new RegExp(`${name}: applied \\d+_init`));
    expect((await readdir(dataDir)).sort()).toEqual(['access', 'events', 'ingest', 'users']);
    const second = await run(process.execPath, script, { env, cwd: ROOT });
    expect(second.stdout.trim().split('\n')).toEqual([
      'users: up to date',
      'events: up to date',
      'access: up to date',
      'ingest: up to date',
    ]);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}, 180_000); // two runs of the real program, each starting four embedded databases
