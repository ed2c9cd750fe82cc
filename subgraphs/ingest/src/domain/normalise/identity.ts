import { createHash } from 'node:crypto';
import type { NormalisedRecord, SourceKind } from '../records';

/**
 * How a record is recognised on the next fetch: its external id names the source, the kind, the feed's own id
 * and the occurrence's date, so each occurrence of a recurring event is a record of its own; its content hash
 * says whether anything changed.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** longer feed ids (URLs as GUIDs, long UIDs) are hashed: external ids stay short and index well */
const MAX_ID_LENGTH = 64;

const safe = (value: string) => value.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');

export function feedIdPart(feedId: string | null, url: string | null, title: string): string {
  if (feedId === null || !safe(feedId)) return `h${sha256(url ?? title).slice(0, 16)}`;
  const cleaned = safe(feedId);
  return cleaned.length > MAX_ID_LENGTH ? `h${sha256(feedId).slice(0, 24)}` : cleaned;
}

/** YYYYMMDD of the instant in UTC */
export const utcDate = (at: Date) => at.toISOString().slice(0, 10).replace(/-/g, '');

export function externalIdFor(
  sourceKey: string,
  kind: SourceKind,
  feedId: string | null,
  url: string | null,
  title: string,
  startsAt: Date,
): string {
  return `${safe(sourceKey) || 'source'}_${kind.toLowerCase()}_${feedIdPart(feedId, url, title)}_${utcDate(startsAt)}`;
}

/** the hash of what a record publishes (not of the raw record: a feed's reformatting alone changes nothing) */
export function contentHashOf(record: Omit<NormalisedRecord, 'contentHash' | 'raw'>): string {
  const {
    externalId,
    feedId,
    title,
    description,
    startsAt,
    endsAt,
    allDay,
    timeZone,
    place,
    url,
    imageUrl,
    categories,
    cancelled,
  } = record;
  return sha256(
    JSON.stringify([
      externalId,
      feedId,
      title,
      description,
      startsAt.toISOString(),
      endsAt?.toISOString() ?? null,
      allDay,
      timeZone,
      [place.text, place.venueId, place.city, place.country, place.latitude, place.longitude],
      url,
      imageUrl,
      categories.map((c) => c.slug),
      cancelled,
    ]),
  );
}
