import ICAL, { type Component } from './ical-library';
import { FeedError, type ParseResult, type RecordProblem } from '../records';
import type { CalendarConfig } from './config';
import { eventRecords, type CalendarContext } from './ical-events';
import { problem } from './parsed-record';
import { resolveTimeZone } from './time-zones';
import { decodeBody, looksLikeHtml, notAFeed } from './text';
import type { ParseOptions } from './options';

/**
 * iCalendar (RFC 5545) files into records, one per event or per occurrence of a recurring one.
 * Real exports break the standard in small ways (a TZID quoting its value, an empty parameter); those
 * lines are repaired first. If the file still does not parse as a whole, each VEVENT is parsed on its
 * own so that one broken event costs only itself.
 */
export function parseCalendar(body: Buffer, options: ParseOptions, config: CalendarConfig): ParseResult {
  const text = decodeBody(body, options.contentType);
  if (looksLikeHtml(text, options.contentType)) throw notAFeed('an iCalendar file');
  if (!/^BEGIN:VCALENDAR\s*$/im.test(text)) {
    throw new FeedError('NOT_A_FEED', 'Expected an iCalendar file (BEGIN:VCALENDAR) but found none');
  }
  // a cut-off download: reading its first half would make every later event look removed
  if (!/^END:VCALENDAR\s*$/im.test(text))
    throw new FeedError('MALFORMED_FEED', 'The iCalendar file is cut off: it has no END:VCALENDAR');
  const unfolded = repairLines(text.replace(/\r\n?/g, '\n').replace(/\n[ \t]/g, ''));
  const problems: RecordProblem[] = [];
  const calendars = parseWhole(unfolded) ?? parseEventByEvent(unfolded, problems);

  const records = [];
  for (const calendar of calendars) {
    const context: CalendarContext = {
      floatingZone:
        resolveTimeZone(String(calendar.getFirstPropertyValue('x-wr-timezone') ?? '')) ?? config.defaultTimeZone ?? null,
      horizon: options.horizon,
      maxOccurrences: config.maxOccurrences ?? 1000,
    };
    const result = eventRecords(calendar.getAllSubcomponents('vevent'), context);
    records.push(...result.records);
    problems.push(...result.problems);
  }
  return { records, problems };
}

/** Exporter quirks that make a strict parser refuse the whole file, fixed line by line. */
function repairLines(text: string): string {
  return (
    text
      // Exchange: DTSTART;TZID="W. Europe Standard Time:20200609T090000" (the value inside the quotes)
      .replace(/^([A-Z-]+(?:;[^:\r\n"]*)*;TZID=)"([^":\r\n]*):([0-9TZ]+)"\s*$/gim, '$1"$2":$3')
      // DTSTART;;VALUE=DATE-TIME: an empty parameter
      .replace(/^([A-Z-]+[^:\r\n]*?);;+/gim, '$1;')
      // EXDATE:20200116 in a date-time series: a date written without VALUE=DATE
      .replace(
        /^((?:EXDATE|RDATE|DTSTART|DTEND|RECURRENCE-ID)(?:;(?!VALUE=)[^:\n]*)*):(\d{8}(?:,\d{8})*)\s*$/gim,
        '$1;VALUE=DATE:$2',
      )
      // blank lines are invalid inside a calendar and carry nothing
      .replace(/\n{2,}/g, '\n')
  );
}

function calendarsOf(jcal: unknown): Component[] {
  // a file with several VCALENDARs parses to a list of them
  const list = Array.isArray(jcal) && Array.isArray(jcal[0]) ? (jcal as unknown[]) : [jcal];
  return list.map((one) => new ICAL.Component(one as unknown[]));
}

function parseWhole(text: string): Component[] | undefined {
  try {
    return calendarsOf(ICAL.parse(text));
  } catch {
    return undefined;
  }
}

/** Each VEVENT parsed inside a calendar of its own, with the file's header and time zones. */
function parseEventByEvent(text: string, problems: RecordProblem[]): Component[] {
  const lines = text.split('\n');
  const header: string[] = [];
  const timeZones: string[][] = [];
  const events: string[][] = [];
  let block: string[] | undefined;
  let depth = 0;
  for (const line of lines) {
    const begin = /^BEGIN:(\S+)/i.exec(line)?.[1]?.toUpperCase();
    const end = /^END:(\S+)/i.exec(line)?.[1]?.toUpperCase();
    if (begin === 'VCALENDAR' || end === 'VCALENDAR') continue;
    if (!block && (begin === 'VEVENT' || begin === 'VTIMEZONE')) {
      block = [];
      (begin === 'VEVENT' ? events : timeZones).push(block);
    }
    if (block) {
      block.push(line);
      if (begin) depth++;
      if (end) depth--;
      if (depth === 0) block = undefined;
    } else if (line.trim()) header.push(line);
  }
  if (events.length === 0)
    throw new FeedError('MALFORMED_FEED', 'The iCalendar file cannot be parsed and holds no readable event');
  const usableZones = timeZones.filter((zone) => parseWhole(wrap(header, [zone])));
  const calendars: Component[] = [];
  events.forEach((event, i) => {
    const parsed = parseWhole(wrap(header, [...usableZones, event]));
    if (parsed) calendars.push(...parsed);
    else {
      const uid = event.find((line) => /^UID[:;]/i.test(line))?.replace(/^UID[^:]*:/i, '');
      problems.push(problem('MALFORMED_RECORD', 'This VEVENT is not valid iCalendar and was skipped', uid ?? `event ${i + 1}`));
    }
  });
  return calendars;
}

const wrap = (header: string[], blocks: string[][]) =>
  ['BEGIN:VCALENDAR', ...header, ...blocks.flat(), 'END:VCALENDAR'].join('\n');
