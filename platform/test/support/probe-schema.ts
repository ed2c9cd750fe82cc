import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';

/**
 * The cross-organisation probe's view of a schema: for every root field, an operation whose ID arguments
 * (and ID input fields, required or not) point at another organisation's records, found by name, and whose
 * selection reads every scalar two levels deep, so whatever leaks shows up in `data`.
 */

export type OperationKind = 'query' | 'mutation' | 'subscription';

export interface ProbeCall {
  kind: OperationKind;
  field: string;
  text: string;
  variables: Record<string, unknown>;
  /** the kinds of the other organisation's records the arguments point at */
  targets: string[];
}

/** Thrown for an ID the probe cannot aim: name it in `ids` or in an allowlist, never skip it silently. */
export class UnaimableArgument extends Error {}

/** Which record kind an ID argument or input field names, by its own name. */
const BY_NAME: Record<string, string> = {
  eventId: 'event',
  basedOnEventId: 'event',
  seriesId: 'series',
  seriesIds: 'series',
  parentId: 'series',
  gateId: 'gate',
  gateIds: 'gate',
  organizationId: 'organization',
  allowedOrganizationIds: 'organization',
  wristbandId: 'wristband',
  ticketTypeId: 'ticketType',
  holdId: 'hold',
  seatMapId: 'seatMap',
  seatIds: 'seat',
  wristbandIds: 'wristband',
  venueId: 'venue',
  sourceId: 'source',
  runId: 'fetchRun',
  recordId: 'sourceRecord',
  keepId: 'canonicalEvent',
  mergeId: 'canonicalEvent',
  canonicalEventId: 'canonicalEvent',
  partnerAppId: 'partnerApp',
  soldThroughAppId: 'partnerApp',
  membershipId: 'membership',
  endpointId: 'webhook',
  deliveryId: 'delivery',
  notificationIds: 'notification',
  userId: 'member',
  toUserId: 'member',
  ownerId: 'member',
  // follow/unfollow: the probe gives targetType its first value, USER
  targetId: 'user',
};

/** For an argument called `id`: the kind the field is about, by the field's name (most specific first). */
const BY_FIELD: [RegExp, string][] = [
  [/device/i, 'device'],
  [/apiKey/i, 'apiKey'],
  [/partnerApp/i, 'partnerApp'],
  [/webhook/i, 'webhook'],
  [/invitation/i, 'invitation'],
  [/savedSearch/i, 'savedSearch'],
  [/erasureReceipt/i, 'erasureReceipt'],
  [/fetchRun/i, 'fetchRun'],
  [/canonical/i, 'canonicalEvent'],
  [/seatMap/i, 'seatMap'],
  [/ticketType/i, 'ticketType'],
  [/hold/i, 'hold'],
  [/booking/i, 'booking'],
  [/series/i, 'series'],
  [/wristband/i, 'wristband'],
  [/ticket/i, 'ticket'],
  [/venue/i, 'venue'],
  [/event/i, 'event'],
  [/gate/i, 'gate'],
  [/source/i, 'source'],
  [/organization/i, 'organization'],
  [/user/i, 'user'],
];

/** The place key (1/10 degree) of the other organisation's venue, which probe-world puts at 48.137, 11.575. */
export const VENUE_CELL = 'G10y1381x1915';

/** Plausible values for required non-ID scalars, by name; the other organisation's NFC id where one is read. */
function scalarFor(scalar: string, name: string, other: { nfcId: string }): unknown {
  if (scalar === 'DateTime') return /ends|to|closes|before/i.test(name) ? '2027-06-01T23:00:00Z' : '2027-06-01T18:00:00Z';
  if (scalar === 'Int') return /capacity|limit|count/i.test(name) ? 10 : 1;
  if (scalar === 'Float') return 0;
  if (scalar === 'Boolean') return false;
  if (scalar === 'JSONObject') return {};
  if (name === 'nfcId') return other.nfcId;
  if (name === 'cell') return VENUE_CELL;
  if (name === 'email') return 'probe@example.com';
  if (name === 'url') return 'https://probe.example.com/hook';
  if (name === 'timeZone') return 'Europe/Berlin';
  if (name === 'csv') return 'nfc_id,category\nPROBE-1,GA\n';
  if (name === 'data') return '[]';
  if (/password/i.test(name)) return 'not the password at all';
  return `probe-${name}`;
}

interface Aim {
  ids: Record<string, string>;
  nfcId: string;
}

function idFor(name: string, fieldName: string, aim: Aim, targets: string[]): string {
  const kind = BY_NAME[name] ?? (name === 'id' ? BY_FIELD.find(([pattern]) => pattern.test(fieldName))?.[1] : undefined);
  const id = kind && aim.ids[kind];
  if (!id) throw new UnaimableArgument(`${fieldName}(${name}: ID): no record of the other organisation to aim it at`);
  targets.push(kind);
  return id;
}

/** A value of `type` aimed at the other organisation: ID positions always filled, other optional ones left out. */
function valueFor(type: GraphQLInputType, name: string, fieldName: string, aim: Aim, targets: string[], depth = 0): unknown {
  if (isNonNullType(type)) return valueFor(type.ofType, name, fieldName, aim, targets, depth);
  if (isListType(type)) return [valueFor(type.ofType, name, fieldName, aim, targets, depth)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    const object: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      const required = isNonNullType(f.type) && f.defaultValue === undefined;
      if ((required || carriesId(f.type)) && depth < 4)
        object[f.name] = valueFor(f.type, f.name, fieldName, aim, targets, depth + 1);
    }
    return object;
  }
  if (getNamedType(type).name === 'ID') {
    return idFor(name, fieldName, aim, targets);
  }
  return scalarFor(getNamedType(type).name, name, aim);
}

const carriesId = (type: GraphQLInputType) => getNamedType(type).name === 'ID';

const isListOfObjects = (type: GraphQLOutputType): boolean =>
  isNonNullType(type) ? isListOfObjects(type.ofType) : isListType(type) && !isLeafType(getNamedType(type));

/**
 * Every scalar of the result two object levels deep; fields needing arguments are left out, and so are lists
 * of objects inside a list (the operation's estimated cost would pass the gateway's limit).
 */
export function selectionOf(type: GraphQLOutputType, depth = 2): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named)) return '{ __typename }';
  const parts = ['__typename'];
  for (const field of Object.values(named.getFields())) {
    if (field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    if (isLeafType(getNamedType(field.type))) parts.push(field.name);
    else if (depth > 1 && !(isListOfObjects(type) && isListOfObjects(field.type)))
      parts.push(`${field.name} ${selectionOf(field.type, depth - 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

export function probeCall(kind: OperationKind, field: GraphQLField<unknown, unknown>, aim: Aim): ProbeCall {
  const variables: Record<string, unknown> = {};
  const targets: string[] = [];
  for (const arg of field.args) {
    const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
    if (required || carriesId(arg.type) || (isInputObjectType(getNamedType(arg.type)) && required))
      variables[arg.name] = valueFor(arg.type, arg.name, field.name, aim, targets);
  }
  const args = field.args.filter((a) => a.name in variables);
  const defs = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const passed = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const text = `${kind} Probe${defs ? `(${defs})` : ''} { ${field.name}${passed ? `(${passed})` : ''} ${selectionOf(field.type)} }`;
  return { kind, field: field.name, text, variables, targets };
}

/** Every root field of the schema as a probe call (or the reason it cannot be aimed). */
export function probeCalls(schema: GraphQLSchema, aim: Aim): { calls: ProbeCall[]; unaimable: string[] } {
  const calls: ProbeCall[] = [];
  const unaimable: string[] = [];
  for (const [kind, root] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ] as const)
    for (const field of Object.values(root?.getFields() ?? {})) {
      try {
        calls.push(probeCall(kind, field, aim));
      } catch (err) {
        if (!(err instanceof UnaimableArgument)) throw err;
        unaimable.push(err.message);
      }
    }
  return { calls, unaimable };
}

/**
 * The same call with the other organisation's private records swapped for records that do not exist (public
 * ones kept): what a refusal for its private records must be word for word.
 */
export function aimedAtNothing(call: ProbeCall, privateIds: Iterable<string>): Record<string, unknown> {
  const ids = new Set(privateIds);
  const swap = (value: unknown): unknown =>
    typeof value === 'string' && ids.has(value)
      ? nothingFor(value)
      : Array.isArray(value)
        ? value.map(swap)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swap(v)]))
          : value;
  return swap(call.variables) as Record<string, unknown>;
}

/** A well-formed UUID no record has, stable per original id (so messages can be compared by substitution). */
export const nothingFor = (id: string) => `00000000-0000-4000-8000-${id.replace(/-/g, '').slice(-12)}`;
