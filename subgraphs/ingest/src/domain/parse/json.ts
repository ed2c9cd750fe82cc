import { FeedError, type ParsedRecord, type ParseResult, type RecordProblem } from '../records';
import type { JsonConfig, MappedField } from './config';
import { isProblem, mappedRecord, type FieldValues } from './mapped-record';
import type { ParseOptions } from './options';
import { absoluteUrl, problem } from './parsed-record';
import { decodeBody, looksLikeHtml, notAFeed } from './text';

/**
 * A partner's JSON (one page of its API, or one webhook push) read through the source's mapping of
 * dot paths. The page's items are found at `itemsPath`; a push may carry one item rather than a list.
 */
export function parseJson(body: Buffer, options: ParseOptions, config: JsonConfig): ParseResult {
  const document = readJson(body, options.contentType);
  const found = config.itemsPath ? valueAt(document, config.itemsPath) : document;
  if (found === undefined)
    throw new FeedError('NOT_A_FEED', `The JSON has nothing at "${config.itemsPath}": the items path may be wrong`);
  const items = Array.isArray(found) ? found : [found];
  const records: ParsedRecord[] = [];
  const problems: RecordProblem[] = [];
  items.forEach((item, i) => {
    const ref = `item ${i + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(problem('MALFORMED_RECORD', 'The item is not a JSON object', ref));
      return;
    }
    const values: FieldValues = {};
    for (const [field, path] of Object.entries(config.fields) as [MappedField, string][]) values[field] = valueAt(item, path);
    const id = values.id;
    const result = mappedRecord(
      values,
      item as Record<string, unknown>,
      { timeZone: config.timeZone, dateFormat: config.dateFormat, baseUrl: options.baseUrl },
      id === undefined || id === null ? ref : String(id),
    );
    if (isProblem(result)) problems.push(result);
    else records.push(result);
  });
  return { records, problems };
}

function readJson(body: Buffer, contentType?: string): unknown {
  const text = decodeBody(body, contentType);
  if (looksLikeHtml(text, contentType)) throw notAFeed('JSON');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FeedError(
      'MALFORMED_FEED',
      `The body is not valid JSON: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`,
    );
  }
}

/** The value at a dot path (`data.items`, `venue.location.0.lat`); undefined when any step is missing. */
export function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const step of path.split('.').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Array.isArray(current) && /^\d+$/.test(step) ? current[Number(step)] : (current as Record<string, unknown>)[step];
  }
  return current;
}

/** The next page's URL from a page's body (absolute, against the page's own URL); null on the last page. */
export function nextJsonPage(body: Buffer, config: JsonConfig, baseUrl?: string): string | null {
  if (!config.nextPagePath) return null;
  let document: unknown;
  try {
    document = readJson(body);
  } catch {
    return null;
  }
  const next = valueAt(document, config.nextPagePath);
  return typeof next === 'string' ? absoluteUrl(next, baseUrl) : null;
}
