import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The shared real-world feeds copied from ../shared/fixtures/feeds (see SOURCES.md there). */
export const FEEDS = join(__dirname, '..', 'fixtures', 'feeds');

export const feed = (path: string): Buffer => readFileSync(join(FEEDS, path));

/** Every fixture file under a folder, as paths relative to FEEDS. */
export function fixtureFiles(folder: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [relative(FEEDS, path)];
    });
  return walk(join(FEEDS, folder)).sort();
}

export const wide = { from: new Date('2000-01-01T00:00:00Z'), to: new Date('2030-01-01T00:00:00Z') };
export const iso = (d: Date | null) => d?.toISOString() ?? null;
