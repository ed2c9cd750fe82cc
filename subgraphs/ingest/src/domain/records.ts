/**
 * The shapes a record takes on its way through Layer 1: fetched bytes are parsed into ParsedRecords,
 * normalised into NormalisedRecords (staging), matched against canonical events, and merged. Pure data:
 * no GraphQL, no database. Every stage reports problems from one closed set of codes.
 */

/** The six kinds of source. RSS covers RSS 2.0 and Atom. */
export type SourceKind = 'ICAL' | 'RSS' | 'JSON' | 'CSV' | 'WEBHOOK' | 'HTML';

/** Why one record was refused (the rest of the run goes on). */
export type RecordProblemCode =
  | 'MISSING_TITLE'
  | 'MISSING_START'
  | 'INVALID_DATE'
  | 'INVALID_TIME_ZONE'
  | 'END_BEFORE_START'
  | 'MALFORMED_RECORD'
  | 'OUT_OF_HORIZON';

/** Why a whole fetch (or push) failed, recorded on its run. */
export type FetchErrorCode =
  | 'UNREACHABLE'
  | 'TIMEOUT'
  | 'HTTP_ERROR'
  | 'TOO_MANY_REDIRECTS'
  | 'BODY_TOO_LARGE'
  | 'PRIVATE_ADDRESS'
  | 'NOT_A_FEED'
  | 'MALFORMED_FEED'
  | 'SELECTOR_NO_MATCH'
  | 'BAD_SIGNATURE'
  | 'STALE_TIMESTAMP'
  | 'REPLAYED'
  | 'MISSING_CREDENTIALS'
  /** the source's mapping or selectors do not fit its kind */
  | 'BAD_SOURCE_CONFIG'
  /** something on our side failed; the details are in the log, not on the run */
  | 'INTERNAL_ERROR';

export interface RecordProblem {
  code: RecordProblemCode;
  /** a sentence a person can act on */
  reason: string;
  /** which record: its feed id, row number or position, when known */
  ref?: string;
}

/** A fetch or parse that could not yield records at all. */
export class FeedError extends Error {
  constructor(
    readonly code: FetchErrorCode,
    message: string,
    /** the HTTP status, when there was a response */
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'FeedError';
  }
}

/** One event (one occurrence of a recurring one) as a feed said it, times already resolved to instants. */
export interface ParsedRecord {
  /** the record's id in its feed: iCal UID, RSS guid / Atom id, partner id, CSV id column; null if none */
  feedId: string | null;
  title: string | null;
  /** may hold HTML; normalisation sanitises it */
  description: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  allDay: boolean;
  /** the IANA zone the feed gave the times in (Windows names mapped); null for UTC or floating times */
  timeZone: string | null;
  /** free-text place as the feed wrote it */
  location: string | null;
  latitude: number | null;
  longitude: number | null;
  url: string | null;
  imageUrl: string | null;
  /** the feed's own category words */
  categories: string[];
  /** the feed says this event (or occurrence) is cancelled */
  cancelled: boolean;
  /** true when this is one occurrence of a recurring event (its date then goes into the external id) */
  recurring: boolean;
  /** what the record said, JSON-safe, kept as provenance */
  raw: Record<string, unknown>;
}

export interface ParseResult {
  records: ParsedRecord[];
  /** records refused one by one */
  problems: RecordProblem[];
}

/** A place resolved offline: a known venue first, then a city from the gazetteer. */
export interface ResolvedPlace {
  text: string | null;
  venueId: string | null;
  venueName: string | null;
  city: string | null;
  /** ISO 3166-1 alpha-2 */
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  /** 0..1: how sure the match is; 0 when nothing matched */
  confidence: number;
  /** a coarse grid cell (geohash of ~20 km) for blocking; null without coordinates */
  cell: string | null;
}

export interface CategoryMatch {
  /** the platform taxonomy's slug */
  slug: string;
  confidence: number;
}

/** A record ready for staging and deduplication. */
export interface NormalisedRecord {
  /** `{source}_{type}_{id}_{date}`: one per occurrence; stable across fetches */
  externalId: string;
  feedId: string | null;
  title: string;
  /** sanitised HTML (allow-list), contact data stripped */
  description: string;
  startsAt: Date;
  endsAt: Date | null;
  allDay: boolean;
  /** the original zone; times above are UTC instants */
  timeZone: string | null;
  place: ResolvedPlace;
  url: string | null;
  imageUrl: string | null;
  categories: CategoryMatch[];
  cancelled: boolean;
  /** a hash of the normalised content: an unchanged record is recognised without a field-by-field compare */
  contentHash: string;
  raw: Record<string, unknown>;
}
