import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { readMigrations } from './migrations';

/**
 * In-memory databases (tests, throwaway runs) and new data directories start from a snapshot of one that already has the
 * subgraph's migrations: PGlite's initdb and the schema engine take seconds per database, and a
 * test run opens hundreds of them. Snapshots are files in the OS temp folder named after the
 * migrations' content, so a changed or added migration never meets an old snapshot.
 */
export interface MemorySnapshot {
  /** the migrated database, if a snapshot of these migrations exists */
  data?: Blob;
  /** keeps a migrated database as the snapshot for the next ones */
  save(pglite: PGlite): Promise<void>;
}

export async function memorySnapshot(name: string, prismaDir: string): Promise<MemorySnapshot> {
  const { migrationDirectories } = await readMigrations(prismaDir);
  const hash = createHash('sha256');
  for (const m of migrationDirectories) hash.update(`${m.path}\0${m.migrationFile.content.value}\0`);
  const dir = join(tmpdir(), 'eventgraph-pglite-snapshots');
  const file = join(dir, `${name}-${hash.digest('hex').slice(0, 24)}.tar.gz`);
  const saved = await readFile(file).catch(() => undefined);
  return {
    data: saved && new Blob([saved]),
    async save(pglite) {
      await pglite.query('CHECKPOINT');
      const dump = await pglite.dumpDataDir('gzip');
      await mkdir(dir, { recursive: true });
      // written aside and renamed: a concurrent reader sees a whole snapshot or none
      const partial = `${file}.${randomUUID()}`;
      await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
      await rename(partial, file);
    },
  };
}
