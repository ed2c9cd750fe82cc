import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { SqlError } from './db/sql';

/** Stable `extensions.code` values clients can switch on. Domain codes are added by each subgraph. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

/** An error meant for the caller: its message and code reach the client unchanged. */
export class DomainError extends GraphQLError {
  constructor(code: string, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
    this.name = 'DomainError';
  }
}

export const badInput = (field: string, message: string) =>
  new DomainError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field });
export const notFound = (what: string, id: string) => new DomainError(ErrorCode.NOT_FOUND, `${what} ${id} was not found`, { id });
export const conflict = (message: string, extensions: Record<string, unknown> = {}) =>
  new DomainError(ErrorCode.CONFLICT, message, extensions);

/** Codes produced by graphql-js / Apollo for requests that never reached a resolver. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * What a client sees of an error: domain errors and request errors as they are;
 * anything else (a bug, a database error with SQL in it) becomes a generic
 * INTERNAL_SERVER_ERROR, logged in full on the server side.
 */
export function formatClientError(
  formatted: GraphQLFormattedError,
  original: unknown,
  log?: (err: unknown) => void,
): GraphQLFormattedError {
  const code = formatted.extensions?.code as string | undefined;
  const cause = original instanceof GraphQLError ? (original.originalError ?? original) : original;
  const translated = translateDatabaseError(cause);
  if (translated) {
    return {
      message: translated.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: translated.extensions,
    };
  }
  const isDomain =
    cause instanceof DomainError || (original instanceof GraphQLError && !original.originalError && code !== undefined);
  if (isDomain || (code && CLIENT_CODES.has(code))) {
    const { stacktrace: _stack, exception: _exception, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    return clarifyCoercionError({ ...formatted, extensions });
  }
  log?.(cause);
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/** graphql-js names the place of a bad variable value in its message: `… at "input.capacity"; …`. */
const VARIABLE_PATH = / at "([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*)"; /;
const INT_OVERFLOW = 'Int cannot represent non 32-bit signed integer value';

/**
 * graphql-js's own refusals of a value said so a person can act on them: the input path as
 * `extensions.field`, as domain errors give it, and an Int out of range says what the range is
 * (every Int column holds exactly that range).
 */
function clarifyCoercionError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = { ...formatted.extensions };
  const path = VARIABLE_PATH.exec(formatted.message)?.[1];
  if (path && extensions.field === undefined) extensions.field = path;
  const message = formatted.message.includes(INT_OVERFLOW)
    ? `${formatted.message} (an Int is a whole number from -2147483648 to 2147483647)`
    : formatted.message;
  return { ...formatted, message, extensions };
}

interface PrismaKnownError {
  code: string;
  clientVersion: string;
  meta?: {
    modelName?: string;
    target?: string[];
    driverAdapterError?: { cause?: { originalCode?: string; constraint?: { fields?: string[]; index?: string } } };
  };
}

const isPrismaKnownError = (err: unknown): err is PrismaKnownError =>
  typeof err === 'object' && err !== null && typeof (err as PrismaKnownError).code === 'string' && 'clientVersion' in err;

/**
 * A transaction PostgreSQL aborted so that another could go on (a deadlock, a serialization
 * failure): running it again is the remedy.
 */
export function isTransactionConflict(err: unknown): boolean {
  if (err instanceof SqlError) return err.sqlState === '40P01' || err.sqlState === '40001';
  if (!isPrismaKnownError(err)) return false;
  const sqlState = err.meta?.driverAdapterError?.cause?.originalCode;
  return err.code === 'P2034' || sqlState === '40P01' || sqlState === '40001';
}

/**
 * The database rejections a caller can act on, said without SQL: a unique
 * constraint is a CONFLICT naming the fields, a missing row NOT_FOUND. Resolvers
 * still check what they can first; this catches the races.
 */
export function translateDatabaseError(err: unknown): DomainError | undefined {
  if (err instanceof SqlError) return translateSqlError(err);
  if (!isPrismaKnownError(err)) return undefined;
  const model = err.meta?.modelName ?? 'record';
  if (err.code === 'P2002') {
    const constraint = err.meta?.driverAdapterError?.cause?.constraint;
    const fields = err.meta?.target ?? constraint?.fields ?? fieldsOfIndex(model, constraint?.index);
    const which = fields.map((f) => f.replace(/"/g, '')).join(', ');
    return conflict(`a ${model} with the same ${which || 'key'} already exists`, { fields });
  }
  if (err.code === 'P2025') return new DomainError(ErrorCode.NOT_FOUND, `${model} was not found`);
  if (err.code === 'P2003') return new DomainError(ErrorCode.BAD_USER_INPUT, `a referenced ${model} does not exist`);
  return undefined;
}

/** The same, for plain SQL (the constraint names the table and fields the way Prisma names them). */
function translateSqlError(err: SqlError): DomainError | undefined {
  if (err.sqlState !== '23505') return undefined;
  const [model = 'record', ...fields] = err.constraint?.replace(/_key$/, '').split('_') ?? [];
  return conflict(`a ${model} with the same ${fields.join(', ') || 'key'} already exists`, { fields });
}

/** Prisma names unique indexes `<Model>_<field>_<field>_key`; the fields are what a caller can act on. */
function fieldsOfIndex(model: string, index: string | undefined): string[] {
  const match = index && new RegExp(`^${model}_(.+)_key$`).exec(index);
  return match ? match[1]!.split('_') : [];
}
