import type { NormalisedRecord, ParsedRecord, RecordProblem, SourceKind } from '../records';
import { mapCategories } from './categories';
import { contentHashOf, externalIdFor } from './identity';
import { resolvePlace, type KnownVenue } from './place';
import { cleanTitle, cleanUrl, plainText, sanitiseDescription } from './text';

export { CATEGORY_SLUGS, mapCategories, type CategorySlug } from './categories';
export { contentHashOf, externalIdFor } from './identity';
export { BLOCKING_PRECISION, decodeGeohash, distanceKm, encodeGeohash, neighbourCells } from './geohash';
export { isCityCentre, resolvePlace, type KnownVenue } from './place';
export { cleanTitle, cleanUrl, plainText, sanitiseDescription, stripContactData } from './text';

export interface NormaliseContext {
  /** short, stable key of the source, the first part of external ids */
  sourceKey: string;
  kind: SourceKind;
  /** venues matched by name before any city */
  knownVenues: KnownVenue[];
  now: Date;
}

export interface NormaliseResult {
  record?: NormalisedRecord;
  problems: RecordProblem[];
}

/**
 * A parsed record made fit for staging: public text cleaned, categories and place resolved, identity and content
 * hash computed. Refused (no record, its problems) when it has no title, no start, or ends before it starts.
 */
export function normaliseRecord(parsed: ParsedRecord, ctx: NormaliseContext): NormaliseResult {
  const ref = parsed.feedId ?? undefined;
  const problems: RecordProblem[] = [];
  const title = cleanTitle(parsed.title);
  if (!title) problems.push({ code: 'MISSING_TITLE', reason: 'The record has no title', ref });
  const startsAt = parsed.startsAt;
  if (!startsAt) problems.push({ code: 'MISSING_START', reason: 'The record has no start date', ref });
  else if (Number.isNaN(startsAt.getTime())) problems.push({ code: 'INVALID_DATE', reason: 'The start date is not a date', ref });
  const endsAt = parsed.endsAt && !Number.isNaN(parsed.endsAt.getTime()) ? parsed.endsAt : null;
  if (startsAt && endsAt && endsAt.getTime() < startsAt.getTime())
    problems.push({
      code: 'END_BEFORE_START',
      reason: `The event ends (${endsAt.toISOString()}) before it starts (${startsAt.toISOString()})`,
      ref,
    });
  if (problems.length > 0 || !startsAt) return { problems };

  const description = sanitiseDescription(parsed.description);
  const url = cleanUrl(parsed.url);
  const fields: Omit<NormalisedRecord, 'contentHash' | 'raw'> = {
    externalId: externalIdFor(ctx.sourceKey, ctx.kind, parsed.feedId, url, title, startsAt),
    feedId: parsed.feedId,
    title,
    description,
    startsAt,
    endsAt,
    allDay: parsed.allDay,
    timeZone: parsed.timeZone,
    place: resolvePlace(parsed.location ? plainText(parsed.location) : null, parsed.latitude, parsed.longitude, ctx.knownVenues),
    url,
    imageUrl: cleanUrl(parsed.imageUrl),
    categories: mapCategories(parsed.categories, title, plainText(description)),
    cancelled: parsed.cancelled,
  };
  return { record: { ...fields, contentHash: contentHashOf(fields), raw: parsed.raw }, problems };
}
