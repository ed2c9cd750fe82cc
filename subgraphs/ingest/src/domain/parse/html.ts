import { load, type Cheerio } from 'cheerio';
import { FeedError, type ParsedRecord, type ParseResult, type RecordProblem } from '../records';
import type { HtmlConfig, MappedField } from './config';
import { isProblem, mappedRecord, type FieldValues } from './mapped-record';
import type { ParseOptions } from './options';
import { absoluteUrl } from './parsed-record';
import { decodeBody } from './text';

/**
 * An event listing page read through the source's CSS selectors: one container element per event,
 * fields found inside it. A selector may end in `@attribute` to read an attribute (`time@datetime`,
 * `a@href`); `@attribute` alone reads the container's own. A date's machine-readable form
 * (a <time datetime> or a content attribute) is preferred to its text.
 */
export function parseHtml(body: Buffer, options: ParseOptions, config: HtmlConfig): ParseResult {
  const $ = load(decodeBody(body, options.contentType));
  const containers = $(config.container).toArray();
  if (containers.length === 0) {
    throw new FeedError(
      'SELECTOR_NO_MATCH',
      `The container selector "${config.container.slice(0, 100)}" matches nothing on the page`,
    );
  }
  const records: ParsedRecord[] = [];
  const problems: RecordProblem[] = [];
  containers.forEach((container, i) => {
    const ref = `entry ${i + 1}`;
    const read = (selector: string | undefined, mode: 'text' | 'html' | 'date' = 'text') =>
      selector ? pick($(container), selector, mode) : undefined;
    const values: FieldValues = {
      title: read(config.title),
      startsAt: read(config.date, 'date'),
      endsAt: read(config.endDate, 'date'),
      location: read(config.location),
      url: read(linkSelector(config.link)),
      description: read(config.description, 'html'),
      imageUrl: read(imageSelector(config.image)),
      category: read(config.category),
    };
    const raw = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<
      Record<MappedField, unknown>
    >;
    const result = mappedRecord(
      values,
      { ...raw, html: $.html(container).slice(0, 4000) },
      { timeZone: config.timeZone, dateFormat: config.dateFormat, baseUrl: options.baseUrl },
      ref,
    );
    if (isProblem(result)) problems.push(result);
    else records.push(result);
  });
  return { records, problems };
}

/** A link selector without an attribute reads the href. */
const linkSelector = (selector: string) => (selector.includes('@') ? selector : `${selector}@href`);
const imageSelector = (selector?: string) => (selector === undefined || selector.includes('@') ? selector : `${selector}@src`);

function pick(scope: Cheerio<any>, selector: string, mode: 'text' | 'html' | 'date'): string | undefined {
  const at = selector.lastIndexOf('@');
  const css = (at >= 0 ? selector.slice(0, at) : selector).trim();
  const attribute = at >= 0 ? selector.slice(at + 1).trim() : undefined;
  const element = css ? scope.find(css).first() : scope;
  if (element.length === 0) return undefined;
  if (attribute) return element.attr(attribute)?.trim() || undefined;
  if (mode === 'date') return (element.attr('datetime') ?? element.attr('content') ?? element.text()).trim() || undefined;
  if (mode === 'html') return element.html()?.trim() || undefined;
  return element.text().replace(/\s+/g, ' ').trim() || undefined;
}

/** The next listing page's URL, absolute; null on the last page or without a nextPage selector. */
export function nextHtmlPage(body: Buffer, config: HtmlConfig, baseUrl?: string): string | null {
  if (!config.nextPage) return null;
  const $ = load(decodeBody(body));
  const next = absoluteUrl(pick($.root(), linkSelector(config.nextPage), 'text'), baseUrl);
  return next && next !== baseUrl ? next : null;
}
