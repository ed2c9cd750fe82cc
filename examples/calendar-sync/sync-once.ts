// One sync: ask the feed with the ETag of the copy held; keep the copy on 304, replace it with a good new body.
import { describeUpdate, summarize } from './calendar-summary';
import { fetchFeed, isPrivateFeed } from './feed-request';
import { describe, SyncFailure } from './failures';
import type { LocalCalendar } from './local-calendar';

/** Syncs once and returns the line to log; throws SyncFailure (the local file is then as it was). */
export async function syncOnce(local: LocalCalendar): Promise<string> {
  const held = await local.read();
  const answer = await fetchFeed({ url: local.url, isPrivate: isPrivateFeed(local.url), etag: held.etag });
  if (answer.status === 'unchanged') return 'unchanged (304)';
  // parsed before anything is written: a body that is not a calendar never replaces a good file
  const next = summarize(answer.ics, answer.contentType);
  if (answer.ics === held.ics) {
    // the same text (the state file was lost or is for another feed): keep the file, remember the ETag
    await guarded(local, () => local.remember(answer.ics, answer.etag));
    return `unchanged (same content): ${describeUpdate(next)}`;
  }
  let previous;
  try {
    previous = held.ics === undefined ? undefined : summarize(held.ics);
  } catch {
    previous = undefined; // the old copy was not a calendar: nothing to compare with
  }
  await guarded(local, () => local.write(answer.ics, answer.etag));
  return `${previous ? 'updated' : 'created'}: ${describeUpdate(next, previous)}`;
}

async function guarded(local: LocalCalendar, write: () => Promise<void>) {
  try {
    await write();
  } catch (err) {
    throw new SyncFailure('WRITE', `cannot write ${local.file} (${describe(err)})`);
  }
}
