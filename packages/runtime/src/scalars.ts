import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

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
