/**
 * The labelled set of the dedup accuracy benchmark, read from bench/data/dedup: two independent public listings
 * of the same academic conferences (paperswithcode/ai-deadlines and ccfddl/ccf-deadlines, see SOURCES.md) and
 * hand-written hard cases. Records go through the real normalisation (text, offline geocoding) like any feed's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CanonicalCandidate } from '../../subgraphs/ingest/src/domain/dedup';
import { normaliseRecord } from '../../subgraphs/ingest/src/domain/normalise';
import type { NormalisedRecord, ParsedRecord } from '../../subgraphs/ingest/src/domain/records';
import { benchDir } from './common';

export const dataDir = join(benchDir, 'data', 'dedup');

interface ListingEntry {
  id: string;
  title: string;
  year: number;
  link: string;
  date: string;
  place: string;
}

export interface ListingRecord {
  id: string;
  /** what the labelling rule compares: the conference's acronym, folded, and its edition year */
  key: string;
  record: NormalisedRecord;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const month = (name: string) => MONTHS.indexOf(name.slice(0, 3).toLowerCase());

/**
 * "June 17-23, 2023", "May 29- June 2, 2023", "September 30th - October 6, 2023", "September, 19-22, 2022",
 * "November 30 - December 3" (the edition's year then): first and last day, as UTC midnights.
 */
export function parseDateRange(text: string, year: number): { first: Date; last: Date } | null {
  const cleaned = text
    .replace(/[–—]/g, '-')
    .replace(/(\d)(st|nd|rd|th)\b/g, '$1')
    .replace(/,/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const match = /^([A-Za-z]+)\.? (\d{1,2}) ?- ?(?:([A-Za-z]+)\.? )?(\d{1,2})(?: (\d{4}))?$/.exec(cleaned);
  if (!match) return null;
  const [, m1, d1, m2, d2, y] = match;
  const startMonth = month(m1!);
  const endMonth = m2 ? month(m2) : startMonth;
  if (startMonth < 0 || endMonth < 0) return null;
  const endYear = y ? Number(y) : year;
  const startYear = endMonth < startMonth ? endYear - 1 : endYear;
  return {
    first: new Date(Date.UTC(startYear, startMonth, Number(d1))),
    last: new Date(Date.UTC(endYear, endMonth, Number(d2))),
  };
}

const NOT_A_PLACE = /^(tbd|tba|online|virtual)/i;

function parsedOf(sourceKey: string, e: ListingEntry): ParsedRecord | null {
  const range = parseDateRange(e.date, e.year);
  if (!range) return null;
  return {
    feedId: e.id,
    // both sites show a conference as its acronym and edition
    title: `${e.title} ${e.year}`,
    description: null,
    startsAt: range.first,
    // all-day ends are exclusive, as in iCalendar
    endsAt: new Date(range.last.getTime() + 86_400_000),
    allDay: true,
    timeZone: null,
    location: NOT_A_PLACE.test(e.place) ? null : e.place,
    latitude: null,
    longitude: null,
    url: e.link.startsWith('http') ? e.link : null,
    imageUrl: null,
    categories: ['Conference'],
    cancelled: false,
    recurring: false,
    raw: { ...e, source: sourceKey },
  };
}

/** the rule: the same acronym (names the two sites spell differently mapped to one) and the same edition year */
const ACRONYM_ALIASES: Record<string, string> = { sigkdd: 'kdd', nips: 'neurips', ijcaiecai: 'ijcai', ecmlpkdd: 'ecmlpkdd' };
export function labelKey(title: string, year: number): string {
  const folded = title.toLowerCase().replace(/[^a-z0-9]/g, '');
  return `${ACRONYM_ALIASES[folded] ?? folded}:${year}`;
}

export function loadListing(file: string, sourceKey: string): { records: ListingRecord[]; skipped: string[] } {
  const { records: entries } = JSON.parse(readFileSync(join(dataDir, file), 'utf8')) as { records: ListingEntry[] };
  const records: ListingRecord[] = [];
  const skipped: string[] = [];
  for (const entry of entries) {
    const parsed = parsedOf(sourceKey, entry);
    const normalised = parsed
      ? normaliseRecord(parsed, { sourceKey, kind: 'JSON', knownVenues: [], now: new Date('2026-01-01T00:00:00Z') }).record
      : undefined;
    if (!normalised) skipped.push(`${entry.id} (${entry.date})`);
    else records.push({ id: entry.id, key: labelKey(entry.title, entry.year), record: normalised });
  }
  return { records, skipped };
}

/** a canonical event as the database hands it to chooseCanonical, from the record that started it */
export const candidateOf = (id: string, r: NormalisedRecord): CanonicalCandidate => ({
  id,
  title: r.title,
  startsAt: r.startsAt,
  endsAt: r.endsAt,
  allDay: r.allDay,
  latitude: r.place.latitude,
  longitude: r.place.longitude,
  venueId: r.place.venueId,
  city: r.place.city,
  urls: r.url ? [r.url] : [],
  externalIds: [r.externalId],
});

interface SyntheticListing {
  title: string;
  start: string;
  end?: string;
  allDay?: boolean;
  location?: string;
  lat?: number;
  lon?: number;
  url?: string;
}

export interface SyntheticCase {
  name: string;
  expected: string | null;
  record: NormalisedRecord;
  candidates: CanonicalCandidate[];
}

function syntheticRecord(sourceKey: string, id: string, s: SyntheticListing): NormalisedRecord {
  const parsed: ParsedRecord = {
    feedId: id,
    title: s.title,
    description: null,
    startsAt: new Date(s.start),
    endsAt: s.end ? new Date(s.end) : null,
    allDay: s.allDay ?? false,
    timeZone: null,
    location: s.location ?? null,
    latitude: s.lat ?? null,
    longitude: s.lon ?? null,
    url: s.url ?? null,
    imageUrl: null,
    categories: [],
    cancelled: false,
    recurring: false,
    raw: {},
  };
  const { record, problems } = normaliseRecord(parsed, {
    sourceKey,
    kind: 'JSON',
    knownVenues: [],
    now: new Date('2027-01-01T00:00:00Z'),
  });
  if (!record) throw new Error(`synthetic ${id} refused: ${problems.map((p) => p.code).join(', ')}`);
  return record;
}

export function loadSynthetic(): SyntheticCase[] {
  const { cases } = JSON.parse(readFileSync(join(dataDir, 'synthetic.json'), 'utf8')) as {
    cases: {
      name: string;
      expected: string | null;
      record: SyntheticListing;
      candidates: (SyntheticListing & { id: string })[];
    }[];
  };
  return cases.map((c, i) => ({
    name: c.name,
    expected: c.expected,
    record: syntheticRecord('listing', `case-${i}`, c.record),
    candidates: c.candidates.map((k) => candidateOf(k.id, syntheticRecord('calendar', k.id, k))),
  }));
}
