import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FeedError, type ParsedRecord, type ParseResult, type RecordProblem } from '../records';
import { readDate, type DateReading } from './dates';
import { gdataRecurrence } from './feed-gdata';
import type { ParseOptions } from './options';
import { absoluteUrl, cleanText, contentId, coordinates, emptyRecord, problem } from './parsed-record';
import { decodeBody, looksLikeHtml, notAFeed } from './text';
import { attr, nodes, textOf, type XmlNode } from './xml-nodes';
import { resolveTimeZone } from './time-zones';

/**
 * RSS 2.0, RSS 1.0 (RDF) and Atom into records. Event fields win where a feed has them (the RSS
 * event module's ev:startdate, Google Calendar's gd:when); otherwise an item is dated by when it was
 * published. A feed that is not well-formed is refused whole: parsing what is left of a truncated
 * feed would make every item after the cut look removed.
 */

const LISTS = new Set([
  'item',
  'entry',
  'link',
  'category',
  'enclosure',
  'media:content',
  'media:thumbnail',
  'dc:subject',
  'gd:when',
  'gd:where',
]);

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => LISTS.has(name),
});

export function parseSyndicationFeed(body: Buffer, options: ParseOptions): ParseResult {
  const text = decodeBody(body, options.contentType);
  if (looksLikeHtml(text, options.contentType)) throw notAFeed('an RSS or Atom feed');
  if (!/^\s*</.test(text)) throw new FeedError('NOT_A_FEED', 'Expected an RSS or Atom feed but the body is not XML');
  const document = wellFormed(text);
  const { items, feedZone } = itemsOf(document);
  const records: ParsedRecord[] = [];
  const problems: RecordProblem[] = [];
  items.forEach((item, i) => {
    const ref = cleanText(textOf(item.guid) ?? textOf(item.id) ?? textOf(item.link)) ?? `item ${i + 1}`;
    try {
      const recurring = gdataRecurrence(item, options.horizon);
      if (recurring) {
        const base = describe(item, options.baseUrl);
        records.push(...recurring.records.map((occurrence) => ({ ...base, ...timesOf(occurrence), cancelled: base.cancelled })));
        problems.push(...recurring.problems);
        return;
      }
      const record = describe(item, options.baseUrl);
      const dated = dateItem(item, record, feedZone);
      if (dated) problems.push({ ...dated, ref });
      else records.push(record);
    } catch (error) {
      problems.push(
        problem(
          'MALFORMED_RECORD',
          `The item could not be read: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`,
          ref,
        ),
      );
    }
  });
  return { records, problems };
}

const timesOf = (r: ParsedRecord) => ({
  startsAt: r.startsAt,
  endsAt: r.endsAt,
  allDay: r.allDay,
  timeZone: r.timeZone,
  recurring: true,
});

/** The parsed document, or MALFORMED_FEED naming the first error. A feed missing only its root's closing tag is forgiven. */
function wellFormed(text: string): XmlNode {
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    const root = /<((?:[\w-]+:)?(?:rss|feed|RDF))[\s>]/.exec(text)?.[1];
    const closed = root ? `${text.trimEnd()}\n</${root}>` : undefined;
    if (!closed || XMLValidator.validate(closed) !== true) {
      throw new FeedError('MALFORMED_FEED', `The feed is not well-formed XML: ${verdict.err.msg} (line ${verdict.err.line})`);
    }
    return xml.parse(closed) as XmlNode;
  }
  return xml.parse(text) as XmlNode;
}

function itemsOf(document: XmlNode): { items: XmlNode[]; feedZone: string | null } {
  const rss = document.rss as XmlNode | undefined;
  if (rss) {
    const channel = (Array.isArray(rss.channel) ? rss.channel[0] : rss.channel) as XmlNode | undefined;
    return { items: nodes(channel?.item), feedZone: null };
  }
  const atom = document.feed as XmlNode | undefined;
  if (atom) return { items: nodes(atom.entry), feedZone: resolveTimeZone(attr(atom['gCal:timezone'], 'value')) ?? null };
  const rdfKey = Object.keys(document).find((key) => key === 'RDF' || key.endsWith(':RDF'));
  if (rdfKey) {
    const rdf = document[rdfKey] as XmlNode;
    const channel = rdf.channel as XmlNode | undefined;
    return { items: [...nodes(rdf.item), ...nodes(channel?.item)], feedZone: null };
  }
  const root = Object.keys(document).find((key) => !key.startsWith('?'));
  throw new FeedError('NOT_A_FEED', `Expected an RSS or Atom feed but the XML's root is <${root ?? 'nothing'}>`);
}

/** An element by local name whatever prefix the feed bound its namespace to (`ev:startdate`, `event:startdate`). */
function byLocalName(item: XmlNode, prefixes: string[], local: string): unknown {
  for (const prefix of prefixes) if (item[`${prefix}:${local}`] !== undefined) return item[`${prefix}:${local}`];
  return undefined;
}

function describe(item: XmlNode, baseUrl?: string): ParsedRecord {
  const record = emptyRecord(item);
  record.title = cleanText(textOf(item.title) ?? textOf(item['dc:title']));
  record.url = linkOf(item, baseUrl);
  record.feedId =
    cleanText(textOf(item.guid) ?? textOf(item.id) ?? attr(item, 'rdf:about')) ??
    record.url ??
    // no id and no link: the title and date stand for the item, the same on every fetch
    contentId(record.title, textOf(item.pubDate) ?? textOf(item.published) ?? textOf(item['dc:date']) ?? textOf(item.updated));
  record.description =
    (textOf(item['content:encoded']) ?? textOf(item.description) ?? textOf(item.content) ?? textOf(item.summary))?.trim() || null;
  record.location = cleanText(textOf(byLocalName(item, ['ev', 'event'], 'location')) ?? attr(item['gd:where'], 'valueString'));
  record.imageUrl = imageOf(item, baseUrl);
  record.categories = [
    ...nodes(item.category).map((c) => attr(c, 'term') ?? attr(c, 'label')),
    ...[item.category, item['dc:subject']].flat().map(textOf),
  ]
    .map(cleanText)
    .filter((c): c is string => !!c && !c.startsWith('http://schemas.google.com/'))
    .filter((c, i, all) => all.findIndex((other) => other.toLowerCase() === c.toLowerCase()) === i);
  Object.assign(record, geoOf(item));
  const status = attr(item['gd:eventStatus'], 'value') ?? textOf(byLocalName(item, ['ev', 'event'], 'status'));
  record.cancelled = !!status && /cancel+ed$/i.test(status);
  return record;
}

function linkOf(item: XmlNode, baseUrl?: string): string | null {
  const links = [item.link].flat().filter((l) => l !== undefined);
  const atom = links.find((l) => typeof l === 'object' && (attr(l, 'rel') ?? 'alternate') === 'alternate' && attr(l, 'href'));
  if (atom) return absoluteUrl(attr(atom, 'href'), baseUrl);
  const plain = links.map(textOf).find((l) => !!l);
  return absoluteUrl(
    plain ?? (textOf(item.guid) && attr(item.guid, 'isPermaLink') !== 'false' ? textOf(item.guid) : null),
    baseUrl,
  );
}

function imageOf(item: XmlNode, baseUrl?: string): string | null {
  const isImage = (node: XmlNode) => (attr(node, 'type') ?? '').startsWith('image/') || attr(node, 'medium') === 'image';
  const candidates = [
    ...nodes(item['media:content'])
      .filter((n) => isImage(n) || (!attr(n, 'type') && !attr(n, 'medium')))
      .map((n) => attr(n, 'url')),
    ...nodes(item['media:thumbnail']).map((n) => attr(n, 'url')),
    ...nodes(item.enclosure)
      .filter(isImage)
      .map((n) => attr(n, 'url')),
    ...nodes(item['enc:enclosure'])
      .filter(isImage)
      .map((n) => attr(n, 'resource') ?? attr(n, 'url')),
    ...nodes(item.link)
      .filter((n) => attr(n, 'rel') === 'enclosure' && isImage(n))
      .map((n) => attr(n, 'href')),
  ];
  for (const url of candidates) {
    const absolute = absoluteUrl(url, baseUrl);
    if (absolute) return absolute;
  }
  return null;
}

function geoOf(item: XmlNode) {
  const point = textOf(item['georss:point'])?.trim().split(/\s+/);
  if (point?.length === 2) return coordinates(point[0], point[1]);
  return coordinates(textOf(item['geo:lat']), textOf(item['geo:long']) ?? textOf(item['geo:lon']));
}

/**
 * Dates the record from the first date field the item has, event fields first. Returns the problem when
 * every date it has is unreadable; an item with no date at all stays undated (normalisation refuses it).
 */
function dateItem(item: XmlNode, record: ParsedRecord, feedZone: string | null): Omit<RecordProblem, 'ref'> | undefined {
  const when = nodes(item['gd:when'])[0];
  const starts: unknown[] = [
    textOf(byLocalName(item, ['ev', 'event'], 'startdate')),
    when && attr(when, 'startTime'),
    textOf(item.pubDate),
    textOf(item.published),
    textOf(item['dc:date']),
    textOf(item['dcterms:issued']),
    textOf(item.updated),
  ];
  const ends: unknown[] = [textOf(byLocalName(item, ['ev', 'event'], 'enddate')), when && attr(when, 'endTime')];
  let sawDate = false;
  let start: DateReading | undefined;
  for (const value of starts) {
    const reading = readDate(value, { timeZone: feedZone });
    if (reading) sawDate = true;
    if (reading && reading !== 'invalid') {
      start = reading;
      break;
    }
  }
  if (!start) return sawDate ? { code: 'INVALID_DATE', reason: 'None of the item’s dates could be read' } : undefined;
  record.startsAt = start.at;
  record.allDay = start.allDay;
  record.timeZone = start.timeZone;
  for (const value of ends) {
    const reading = readDate(value, { timeZone: feedZone });
    if (reading && reading !== 'invalid') {
      record.endsAt = reading.at;
      break;
    }
  }
  return undefined;
}
