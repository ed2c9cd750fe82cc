import type { ParsedRecord, RecordProblem } from '../records';
import type { MappedField } from './config';
import { readDate, type DateContext } from './dates';
import { absoluteUrl, cleanText, contentId, coordinates, emptyRecord, problem } from './parsed-record';
import { resolveTimeZone } from './time-zones';

/**
 * One record from named values (a CSV row, a JSON item, an HTML listing entry), the same way for
 * every mapped format: dates in the record's zone (its own zone field, else the source's), links made
 * absolute, an id derived from the content when the source gives none.
 */
export type FieldValues = Partial<Record<MappedField, unknown>>;

export interface MappingContext {
  timeZone?: string;
  dateFormat?: string;
  baseUrl?: string;
}

export function mappedRecord(
  values: FieldValues,
  raw: Record<string, unknown>,
  context: MappingContext,
  ref: string,
): ParsedRecord | RecordProblem {
  const record = emptyRecord(raw);
  const zoneText = cleanText(values.timeZone);
  const zone = zoneText ? resolveTimeZone(zoneText) : (context.timeZone ?? undefined);
  if (zoneText && !zone) return problem('INVALID_TIME_ZONE', `"${zoneText.slice(0, 60)}" is not a known time zone`, ref);
  const dates: DateContext = { timeZone: zone ?? null, format: context.dateFormat };
  const start = readDate(values.startsAt, dates);
  if (start === 'invalid')
    return problem('INVALID_DATE', `The start "${String(values.startsAt).slice(0, 60)}" is not a date`, ref);
  const end = readDate(values.endsAt, dates);
  if (end === 'invalid') return problem('INVALID_DATE', `The end "${String(values.endsAt).slice(0, 60)}" is not a date`, ref);
  record.title = cleanText(values.title);
  record.description = typeof values.description === 'string' ? values.description.trim() || null : cleanText(values.description);
  record.startsAt = start?.at ?? null;
  record.endsAt = end?.at ?? null;
  record.allDay = values.allDay !== undefined ? truthy(values.allDay) : (start?.allDay ?? false);
  // an all-day event's end date is its last day: the record's end is the next midnight (exclusive, as in iCalendar)
  if (record.allDay && end?.allDay && record.endsAt) record.endsAt = new Date(record.endsAt.getTime() + 86_400_000);
  if (record.allDay && !record.endsAt && record.startsAt) record.endsAt = new Date(record.startsAt.getTime() + 86_400_000);
  record.timeZone = start?.timeZone ?? zone ?? null;
  record.location = cleanText(values.location);
  Object.assign(record, coordinates(values.latitude, values.longitude));
  record.url = absoluteUrl(cleanText(values.url), context.baseUrl);
  record.imageUrl = absoluteUrl(cleanText(values.imageUrl), context.baseUrl);
  record.categories = [values.category]
    .flat()
    .flatMap((c) => (typeof c === 'string' ? c.split(/[,;|]/) : [c]))
    .map(cleanText)
    .filter((c): c is string => !!c);
  record.cancelled = /^(cancel+ed|canceled|abgesagt|annulé|cancelado)$/i.test(cleanText(values.status) ?? '');
  record.feedId = cleanText(values.id) ?? record.url ?? contentId(record.title, record.startsAt?.toISOString());
  return record;
}

const truthy = (value: unknown) => value === true || /^(true|yes|1|y)$/i.test(String(value).trim());

export const isProblem = (value: ParsedRecord | RecordProblem): value is RecordProblem => 'code' in value && 'reason' in value;
