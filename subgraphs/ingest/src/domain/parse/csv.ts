import { parse } from 'csv-parse/sync';
import { FeedError, type ParsedRecord, type ParseResult, type RecordProblem } from '../records';
import type { CsvConfig, MappedField } from './config';
import { isProblem, mappedRecord, type FieldValues } from './mapped-record';
import type { ParseOptions } from './options';
import { problem } from './parsed-record';
import { decodeBody, looksLikeHtml, notAFeed } from './text';

/**
 * A CSV upload with a header row, read through the source's column mapping. Rows are numbered as a
 * spreadsheet shows them (the header is row 1), so a problem's ref points at the line to fix.
 */
export function parseCsv(body: Buffer, options: ParseOptions, config: CsvConfig): ParseResult {
  const text = decodeBody(body, options.contentType);
  if (looksLikeHtml(text, options.contentType)) throw notAFeed('a CSV file');
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, {
      bom: true,
      delimiter: config.delimiter ?? sniffDelimiter(text),
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    throw new FeedError(
      'MALFORMED_FEED',
      `The CSV file cannot be parsed: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`,
    );
  }
  const [header, ...data] = rows;
  if (!header) return { records: [], problems: [] };
  const names = header.record.map((name) => name.trim().toLowerCase());
  const missing = (['title', 'startsAt'] as const).filter((field) => !names.includes(config.columns[field].trim().toLowerCase()));
  if (missing.length) {
    throw new FeedError(
      'MALFORMED_FEED',
      `The CSV file has no ${missing.map((f) => `"${config.columns[f]}"`).join(' or ')} column`,
    );
  }
  const records: ParsedRecord[] = [];
  const problems: RecordProblem[] = [];
  for (const { record: cells, info } of data) {
    const ref = `row ${info.lines}`;
    if (cells.length > names.length && cells.slice(names.length).some((c) => c.trim())) {
      problems.push(problem('MALFORMED_RECORD', `The row has ${cells.length} fields but the header has ${names.length}`, ref));
      continue;
    }
    const raw = Object.fromEntries(header.record.map((name, i) => [name, cells[i] ?? null]));
    const values: FieldValues = {};
    for (const [field, column] of Object.entries(config.columns) as [MappedField, string][]) {
      const index = names.indexOf(column.trim().toLowerCase());
      if (index >= 0 && cells[index] !== undefined && cells[index].trim() !== '') values[field] = cells[index];
    }
    const result = mappedRecord(
      values,
      raw,
      { timeZone: config.timeZone, dateFormat: config.dateFormat, baseUrl: options.baseUrl },
      ref,
    );
    if (isProblem(result)) problems.push(result);
    else records.push(result);
  }
  return { records, problems };
}

/** Comma unless the header line plainly uses semicolons or tabs (spreadsheets in many locales export with `;`). */
function sniffDelimiter(text: string): string {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const counts = [',', ';', '\t'].map((d) => [d, first.split(d).length - 1] as const);
  return counts.sort((a, b) => b[1] - a[1])[0]![1] > 0 ? counts[0]![0] : ',';
}
