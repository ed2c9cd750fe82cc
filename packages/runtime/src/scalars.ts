import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';

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

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDate(value: unknown): Date {
  if (typeof value !== 'string' || !ISO.test(value)) throw invalid(value);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid(value);
  return date;
}

const invalid = (value: unknown) =>
  new GraphQLError(`DateTime must be an ISO-8601 date-time with offset, got ${JSON.stringify(value)}`, {
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
