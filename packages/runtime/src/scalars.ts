import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import { calendarDayProblem, DATE_YEARS } from './calendar';

/** ISO-8601 date-time with offset; a bad value is a BAD_USER_INPUT naming the value. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 date-time, e.g. 2026-07-01T18:00:00Z',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue(value) {
    return parseDate(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw invalid(ast.kind);
    return parseDate(ast.value);
  },
});

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

const EARLIEST = Date.UTC(DATE_YEARS.min, 0, 1);
const LATEST = Date.UTC(DATE_YEARS.max, 11, 31, 23, 59, 59, 999);

/**
 * An ISO-8601 date-time that names a real instant: JavaScript's Date would shift 2027-02-30 to
 * March 2nd and 24:00 to the next day, so every part is checked against the calendar first.
 */
function parseDate(value: unknown): Date {
  const parts = typeof value === 'string' ? ISO.exec(value) : null;
  if (!parts) throw invalid(value);
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = parts
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  const dayProblem = calendarDayProblem(year!, month!, day!);
  if (dayProblem) throw impossible(`${value as string} ${dayProblem}`);
  if (hour! > 23 || minute! > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59)
    throw impossible(`${value as string} is not a time of day (hours 00–23, minutes and seconds 00–59)`);
  const date = new Date(value as string);
  if (Number.isNaN(date.getTime())) throw invalid(value);
  if (date.getTime() < EARLIEST || date.getTime() > LATEST)
    throw impossible(`${value as string} is outside the years ${DATE_YEARS.min}–${DATE_YEARS.max}`);
  return date;
}

const impossible = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

const invalid = (value: unknown) =>
  new GraphQLError(`DateTime must be an ISO-8601 date-time with offset, got ${JSON.stringify(value)?.slice(0, 80)}`, {
    extensions: { code: 'BAD_USER_INPUT' },
  });

const MAX_JSON_BYTES = 16 * 1024;

function parseObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GraphQLError('JSONObject must be an object', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  if (JSON.stringify(value).length > MAX_JSON_BYTES) {
    throw new GraphQLError(`JSONObject must be at most ${MAX_JSON_BYTES} bytes`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return value as Record<string, unknown>;
}

/** A small JSON object (settings, metadata); anything else is a BAD_USER_INPUT. */
export const JSONObjectScalar = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
  name: 'JSONObject',
  description: 'A JSON object of at most 16 KiB',
  serialize: (value) => value as Record<string, unknown>,
  parseValue: parseObject,
  parseLiteral(ast) {
    if (ast.kind !== Kind.OBJECT)
      throw new GraphQLError('JSONObject must be an object literal', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseObject(valueFromASTUntyped(ast));
  },
});

/** A machine-readable document of any size (a user's data export): output only, never taken as input. */
export const JSONDocumentScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSONDocument',
  description: 'A JSON document (output only): machine-readable data such as a personal data export',
  serialize: (value) => value,
  parseValue: () => {
    throw new GraphQLError('JSONDocument is output only', { extensions: { code: 'BAD_USER_INPUT' } });
  },
  parseLiteral: () => {
    throw new GraphQLError('JSONDocument is output only', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});
