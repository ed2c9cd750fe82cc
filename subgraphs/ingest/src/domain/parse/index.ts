import type { ParseResult, SourceKind } from '../records';
import { checkedConfig, type CalendarConfig, type CsvConfig, type HtmlConfig, type JsonConfig } from './config';
import { parseCsv } from './csv';
import { parseSyndicationFeed } from './feed';
import { nextHtmlPage, parseHtml } from './html';
import { parseCalendar } from './ical';
import { nextJsonPage, parseJson } from './json';
import type { ParseOptions } from './options';

/**
 * Layer 1's parsers: the bytes a source gave, read into records. Pure: no network, no database.
 * A body that cannot be read at all throws a FeedError (NOT_A_FEED, MALFORMED_FEED, SELECTOR_NO_MATCH);
 * a record that cannot be read goes to `problems` with its ref, and the others go on. A config that
 * configProblems refuses throws SourceConfigError.
 *
 * The horizon bounds the expansion of recurring events only: a single event is returned whatever
 * its date, and it is for the caller to decide what to do with past ones.
 */
export function parseFeed(kind: SourceKind, body: Buffer, options: ParseOptions): ParseResult {
  switch (kind) {
    case 'ICAL':
      return parseCalendar(body, options, checkedConfig<CalendarConfig>(kind, options.config));
    case 'RSS':
      checkedConfig<CalendarConfig>(kind, options.config);
      return parseSyndicationFeed(body, options);
    case 'CSV':
      return parseCsv(body, options, checkedConfig<CsvConfig>(kind, options.config));
    case 'JSON':
    case 'WEBHOOK':
      return parseJson(body, options, checkedConfig<JsonConfig>(kind, options.config));
    case 'HTML':
      return parseHtml(body, options, checkedConfig<HtmlConfig>(kind, options.config));
  }
}

/** The URL of the page after this one, for the paged kinds (JSON, HTML); null when there is none. */
export function nextPageUrl(kind: SourceKind, body: Buffer, config: unknown, baseUrl?: string): string | null {
  if (kind === 'JSON') return nextJsonPage(body, checkedConfig<JsonConfig>(kind, config), baseUrl);
  if (kind === 'HTML') return nextHtmlPage(body, checkedConfig<HtmlConfig>(kind, config), baseUrl);
  return null;
}

export { configProblems, SourceConfigError, MAPPED_FIELDS } from './config';
export type { CalendarConfig, CsvConfig, HtmlConfig, JsonConfig, MappedField } from './config';
export type { ParseOptions } from './options';
export { resolveTimeZone } from './time-zones';
