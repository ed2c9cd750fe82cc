/**
 * Rules for the rows of bulk imports (wristbands and tickets), whatever carried them (CSV, JSON): each row
 * is valid or fails with one error naming its code and field. Pure: no database, no GraphQL.
 */

export interface ImportError {
  /** the line the row starts on (CSV record or JSON item) */
  line: number;
  code: ImportErrorCode;
  field: string | null;
  message: string;
}

export type ImportErrorCode =
  | 'MALFORMED_ROW'
  | 'MISSING_FIELD'
  | 'INVALID_VALUE'
  | 'DUPLICATE_NFC_ID'
  | 'DUPLICATE_EXTERNAL_ID'
  | 'UNKNOWN_NFC_ID'
  | 'UNKNOWN_SERIES'
  | 'SERIES_OF_OTHER_EVENT';

export type RowCheck<T> = { ok: true; row: T } | { ok: false; error: Omit<ImportError, 'line'> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
export const MAX_SERIES_PER_ROW = 50;

const fail = (code: ImportErrorCode, field: string | null, message: string) => ({
  ok: false as const,
  error: { code, field, message },
});

class RowError extends Error {
  constructor(readonly error: Omit<ImportError, 'line'>) {
    super(error.message);
  }
}

function text(field: string, value: unknown, max: number, required: boolean): string | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    if (required) throw new RowError({ code: 'MISSING_FIELD', field, message: `${field} is missing` });
    return null;
  }
  if (typeof value !== 'string') throw new RowError({ code: 'INVALID_VALUE', field, message: `${field} must be text` });
  const trimmed = value.trim();
  if (trimmed.length > max)
    throw new RowError({ code: 'INVALID_VALUE', field, message: `${field} is longer than ${max} characters` });
  if (CONTROL.test(trimmed))
    throw new RowError({ code: 'INVALID_VALUE', field, message: `${field} contains control characters` });
  return trimmed;
}

/** Series ids as a `;`-separated list (CSV) or an array (JSON); duplicates dropped. */
function seriesIds(field: string, value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  const parts = typeof value === 'string' ? value.split(';') : Array.isArray(value) ? value : null;
  if (!parts) throw new RowError({ code: 'INVALID_VALUE', field, message: `${field} must list series ids` });
  const ids = new Set<string>();
  for (const part of parts) {
    const id = typeof part === 'string' ? part.trim() : '';
    if (!id && typeof part === 'string') continue;
    if (!UUID.test(id))
      throw new RowError({ code: 'INVALID_VALUE', field, message: `${field}: ${JSON.stringify(part)} is not a series id` });
    ids.add(id.toLowerCase());
  }
  if (ids.size > MAX_SERIES_PER_ROW)
    throw new RowError({ code: 'INVALID_VALUE', field, message: `${field}: at most ${MAX_SERIES_PER_ROW} series` });
  return [...ids];
}

function checked<T>(build: () => T): RowCheck<T> {
  try {
    return { ok: true, row: build() };
  } catch (err) {
    if (err instanceof RowError) return { ok: false, error: err.error };
    throw err;
  }
}

// ---------------------------------------------------------------- CSV headers

/**
 * The header row names the columns (case and surrounding spaces do not matter); `required` must be there,
 * anything outside `known` is refused so that a misspelt column is not silently ignored.
 */
export function checkHeader(
  fields: string[],
  required: readonly string[],
  known: readonly string[],
): { ok: true; columns: string[] } | { ok: false; message: string } {
  const columns = fields.map((f) => f.trim().toLowerCase());
  const unknown = columns.filter((c) => !known.includes(c));
  if (unknown.length) return { ok: false, message: `unknown columns ${unknown.join(', ')}; known: ${known.join(', ')}` };
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (repeated.length) return { ok: false, message: `column ${repeated[0]} appears twice` };
  const missing = required.filter((c) => !columns.includes(c));
  if (missing.length) return { ok: false, message: `the header lacks ${missing.join(', ')} (columns: ${known.join(', ')})` };
  return { ok: true, columns };
}

/** A CSV record as an object keyed by its header's columns; MALFORMED_ROW when the field count differs. */
export function recordByColumns(columns: string[], fields: string[]): RowCheck<Record<string, string>> {
  if (fields.length !== columns.length)
    return fail('MALFORMED_ROW', null, `expected ${columns.length} fields (${columns.join(',')}), found ${fields.length}`);
  const record: Record<string, string> = {};
  columns.forEach((c, i) => (record[c] = fields[i]!));
  return { ok: true, row: record };
}

// ---------------------------------------------------------------- wristbands

export const WRISTBAND_COLUMNS = ['nfc_id', 'category', 'series'] as const;
export const WRISTBAND_REQUIRED = ['nfc_id', 'category'] as const;

export interface WristbandRow {
  nfcId: string;
  category: string;
  seriesIds: string[];
}

export const MAX_NFC_ID = 64;
export const MAX_CATEGORY = 40;

export const checkWristbandRow = (record: Record<string, string>): RowCheck<WristbandRow> =>
  checked(() => ({
    nfcId: text('nfc_id', record.nfc_id, MAX_NFC_ID, true)!,
    category: text('category', record.category, MAX_CATEGORY, true)!.toUpperCase(),
    seriesIds: seriesIds('series', record.series),
  }));

// ---------------------------------------------------------------- tickets

export const TICKET_COLUMNS = ['external_id', 'category', 'holder_name', 'holder_email', 'nfc_id', 'series', 'status'] as const;
export const TICKET_REQUIRED = ['external_id', 'category'] as const;
export const TICKET_STATUSES = ['VALID', 'CANCELLED'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export interface TicketRow {
  externalId: string;
  category: string;
  status: TicketStatus;
  holderName: string | null;
  holderEmail: string | null;
  nfcId: string | null;
  seriesIds: string[];
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** CSV columns are snake_case, JSON keys camelCase: both name the same fields. */
const camel = (column: string) => column.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase());
export const ticketFromCsv = (record: Record<string, string>) =>
  Object.fromEntries(Object.entries(record).map(([column, value]) => [camel(column), value]));

export function checkTicketRow(value: unknown): RowCheck<TicketRow> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('MALFORMED_ROW', null, 'a ticket must be an object');
  const item = value as Record<string, unknown>;
  return checked(() => {
    const status = (text('status', item.status, 20, false) ?? 'VALID').toUpperCase();
    if (!(TICKET_STATUSES as readonly string[]).includes(status))
      throw new RowError({ code: 'INVALID_VALUE', field: 'status', message: `status must be VALID or CANCELLED` });
    const holderEmail = text('holderEmail', item.holderEmail, 254, false);
    if (holderEmail && !EMAIL.test(holderEmail))
      throw new RowError({ code: 'INVALID_VALUE', field: 'holderEmail', message: 'holderEmail is not an email address' });
    return {
      externalId: text('externalId', typeof item.externalId === 'number' ? String(item.externalId) : item.externalId, 128, true)!,
      category: text('category', item.category, MAX_CATEGORY, true)!.toUpperCase(),
      status: status as TicketStatus,
      holderName: text('holderName', item.holderName, 200, false),
      holderEmail: holderEmail?.toLowerCase() ?? null,
      nfcId: text('nfcId', item.nfcId, MAX_NFC_ID, false),
      seriesIds: seriesIds('series', item.series),
    };
  });
}
