// The local copy: the .ics file and, next to it, a small state file with the ETag it was fetched with. Both are
// replaced atomically (a temporary file in the same directory, flushed, then renamed over the old one), so a
// calendar app reading the file never sees half of it, and a crash leaves the previous copy whole.
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface SyncState {
  /** the feed this copy came from: a state file for another feed is not used */
  url: string;
  etag?: string;
  /** sha-256 of the .ics as written: a file changed or replaced by hand is fetched again in full */
  sha256: string;
  syncedAt: string;
}

export const stateFileOf = (icsFile: string) => `${icsFile}.sync.json`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function replaceAtomically(file: string, text: string): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temporary, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

export class LocalCalendar {
  constructor(
    readonly file: string,
    readonly url: string,
  ) {}

  /** The current copy and its ETag; no ETag when the file is missing, changed since, or from another feed. */
  async read(): Promise<{ ics?: string; etag?: string }> {
    const ics = await readFile(this.file, 'utf8').catch(() => undefined);
    if (ics === undefined) return {};
    const state = await readFile(stateFileOf(this.file), 'utf8')
      .then((text) => JSON.parse(text) as SyncState)
      .catch(() => undefined);
    const current = state && state.url === this.url && state.sha256 === sha256(ics);
    return { ics, etag: current ? state.etag : undefined };
  }

  /** Replaces the file, then the state (a crash in between only costs one full fetch next time). */
  async write(ics: string, etag: string | undefined): Promise<void> {
    await replaceAtomically(this.file, ics);
    await this.remember(ics, etag);
  }

  /** Records the ETag of the copy held, leaving the .ics itself untouched. */
  async remember(ics: string, etag: string | undefined): Promise<void> {
    const state: SyncState = { url: this.url, etag, sha256: sha256(ics), syncedAt: new Date().toISOString() };
    await replaceAtomically(stateFileOf(this.file), `${JSON.stringify(state, null, 2)}\n`);
  }
}
