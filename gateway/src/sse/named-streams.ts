import { GraphQLError, getNamedType, isListType, isNonNullType, type GraphQLSchema, type GraphQLInputType } from 'graphql';
import { ErrorCode } from '../subscriptions/errors';

/**
 * A stream by name for clients that would rather not write GraphQL (`curl`, EventSource): a path, the
 * subscription field it follows and the selection it answers with. Its query parameters are the field's
 * arguments by name, so a subscription field added to the schema needs only a line here, and any
 * subscription at all can be followed through `/graphql/stream` with its own selection. A path may name
 * several fields: the parameters given choose the first that takes them all and lacks none it requires.
 */
export interface NamedStream {
  field: string;
  operationName: string;
  selection: string;
}

const VENUE_STATUS =
  '{ venueId changed venue { id name } liveStatus { open crowdLevel waitMinutes special source confidence validUntil updatedAt } }';

export const NAMED_STREAMS: ReadonlyMap<string, readonly NamedStream[]> = new Map([
  [
    '/events/stream',
    [
      {
        field: 'eventChanged',
        operationName: 'EventsStream',
        selection: '{ kind changedFields event { id title status visibility startsAt endsAt } }',
      },
    ],
  ],
  [
    '/venues/stream',
    [
      { field: 'venueStatusChanged', operationName: 'VenueStream', selection: VENUE_STATUS },
      { field: 'venueStatusChangedInArea', operationName: 'VenuesInAreaStream', selection: VENUE_STATUS },
    ],
  ],
]);

export interface StreamOperation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  extensions?: Record<string, unknown>;
}

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput } });

/** The subscription a named stream's query parameters ask for: `?organizationId=…` is `eventChanged(organizationId: …)`. */
export function namedStreamOperation(
  schema: GraphQLSchema,
  streams: readonly NamedStream[],
  params: URLSearchParams,
): StreamOperation | GraphQLError {
  const fields = schema.getSubscriptionType()?.getFields() ?? {};
  const served = streams.flatMap((stream) => (fields[stream.field] ? [{ stream, field: fields[stream.field]! }] : []));
  if (served.length === 0) return new GraphQLError('this stream is not served now', { extensions: { code: 'NOT_FOUND' } });
  const given = [...new Set(params.keys())];
  const takesAll = served.filter(({ field }) => given.every((name) => field.args.some((arg) => arg.name === name)));
  const required = (arg: { type: GraphQLInputType; defaultValue?: unknown }) =>
    isNonNullType(arg.type) && arg.defaultValue === undefined;
  // none lacks nothing: the first that takes them all, whose coercion then names what is missing
  const chosen =
    takesAll.find(({ field }) => field.args.every((arg) => !required(arg) || given.includes(arg.name))) ?? takesAll[0];
  if (!chosen) {
    const known = [...new Set(served.flatMap(({ field }) => field.args.map((arg) => arg.name)))];
    const unknown = given.filter((name) => !known.includes(name));
    const quoted = (names: string[]) => names.map((name) => JSON.stringify(name.slice(0, 50))).join(', ');
    return badInput(
      unknown.length
        ? `unknown parameter ${quoted(unknown)}; this stream takes ${known.join(', ')}`
        : `no stream here takes ${quoted(given)} together; give one of ${served.map(({ field }) => field.args.map((arg) => arg.name).join(' + ')).join(', or ')}`,
    );
  }
  const { stream, field } = chosen;
  const variables: Record<string, unknown> = {};
  for (const arg of field.args) {
    const values = params.getAll(arg.name);
    if (values.length > 0) variables[arg.name] = parameterValue(arg.type, values);
  }
  const definitions = field.args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const args = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const wrap = (text: string) => (text ? `(${text})` : '');
  return {
    query: `subscription ${stream.operationName}${wrap(definitions)} { ${stream.field}${wrap(args)} ${stream.selection} }`,
    variables,
    operationName: stream.operationName,
  };
}

/** A parameter as the argument's type takes it: text for strings and ids, JSON where it parses (numbers, booleans), lists from repeats. */
function parameterValue(type: GraphQLInputType, values: string[]): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  const named = getNamedType(type).name;
  const one = (text: string) => {
    if (named === 'String' || named === 'ID') return text;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text; // an enum value, say; coercion names what is wrong with it
    }
  };
  return isListType(inner) ? values.map(one) : one(values[values.length - 1]!);
}
