import {
  defaultFieldResolver,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { badInput } from './errors';

/**
 * Text PostgreSQL cannot store: NUL (text and jsonb refuse it) and unpaired UTF-16 surrogates
 * (they have no UTF-8 form, so the driver would silently store U+FFFD instead of what was sent).
 */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Why this text cannot be stored, said for the caller; undefined when it can. */
export function textProblem(value: string): string | undefined {
  UNSTORABLE.lastIndex = 0;
  const found = UNSTORABLE.exec(value);
  if (!found) return undefined;
  return found[0] === '\u0000'
    ? `must not contain the control character U+0000 (NUL), found at character ${found.index + 1}`
    : `must be valid Unicode: an unpaired surrogate was found at character ${found.index + 1}`;
}

/** The text with what cannot be stored replaced by U+FFFD, for logging what was refused. */
export const storableText = (value: string) => value.replace(UNSTORABLE, '\uFFFD');

/**
 * Marks an argument or input field whose resolver judges its text itself (a scan's nfc id is
 * logged as a denied scan, not refused): `t.string({ extensions: CHECKS_OWN_TEXT })`.
 */
export const CHECKS_OWN_TEXT = { checksOwnText: true } as const;

/** Federation's own scalars carry the gateway's data, never a client's text. */
const FEDERATION_SCALARS = new Set(['_Any', '_FieldSet', 'FieldSet', 'link__Import', 'federation__FieldSet']);

type Check = (value: unknown, path: string) => void;

function checkString(value: unknown, path: string): void {
  if (typeof value !== 'string') return;
  const problem = textProblem(value);
  if (problem) throw badInput(path, problem);
}

/** A custom scalar's parsed value (JSONObject): every string in it, keys included; a Date has none. */
function checkDeep(value: unknown, path: string): void {
  if (typeof value === 'string') return checkString(value, path);
  if (Array.isArray(value)) return value.forEach((item, i) => checkDeep(item, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null || value instanceof Date) return;
  for (const [key, item] of Object.entries(value)) {
    // the path names a refused key as it can be shown
    checkString(key, `${path}.${storableText(key)}`);
    checkDeep(item, `${path}.${key}`);
  }
}

/**
 * The check of values of one input type, or null when the type holds no text (Int, Boolean,
 * enums, and input objects of those). Input objects are memoised by name, which also ends
 * recursion through self-referencing input types.
 */
function checkOf(type: GraphQLInputType, memo: Map<string, Check | null>): Check | null {
  if (isNonNullType(type)) return checkOf(type.ofType, memo);
  if (isListType(type)) {
    const item = checkOf(type.ofType, memo);
    if (!item) return null;
    return (value, path) => {
      if (!Array.isArray(value)) return item(value, path);
      value.forEach((v, i) => v != null && item(v, `${path}[${i}]`));
    };
  }
  if (isEnumType(type)) return null;
  if (isInputObjectType(type)) {
    if (memo.has(type.name)) return memo.get(type.name) ?? null;
    // while its fields are looked at, a reference back to it checks through the memo
    memo.set(type.name, (value, path) => memo.get(type.name)?.(value, path));
    const fields = Object.values(type.getFields())
      .filter((field) => !field.extensions?.checksOwnText)
      .map((field) => [field.name, checkOf(field.type, memo)] as const)
      .filter((entry): entry is readonly [string, Check] => entry[1] !== null);
    const check: Check | null = fields.length
      ? (value, path) => {
          if (typeof value !== 'object' || value === null) return;
          for (const [name, fieldCheck] of fields) {
            const v = (value as Record<string, unknown>)[name];
            if (v != null) fieldCheck(v, `${path}.${name}`);
          }
        }
      : null;
    memo.set(type.name, check);
    return check;
  }
  if (type.name === 'String' || type.name === 'ID') return checkString;
  if (isSpecifiedScalarType(type) || FEDERATION_SCALARS.has(type.name)) return null;
  return checkDeep;
}

const guarded = new WeakSet<GraphQLField<unknown, unknown>>();

function guardField(field: GraphQLField<unknown, unknown>, memo: Map<string, Check | null>): void {
  if (guarded.has(field)) return;
  guarded.add(field);
  const checks = field.args
    .filter((arg) => !arg.extensions?.checksOwnText)
    .map((arg) => [arg.name, checkOf(arg.type, memo)] as const)
    .filter((entry): entry is readonly [string, Check] => entry[1] !== null);
  if (!checks.length) return;
  const checkArgs = (args: Record<string, unknown>) => {
    for (const [name, check] of checks) if (args[name] != null) check(args[name], name);
  };
  const before =
    (next: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> =>
    (source, args, context, info) => {
      checkArgs(args);
      return next(source, args, context, info);
    };
  field.resolve = before(field.resolve ?? defaultFieldResolver);
  if (field.subscribe) field.subscribe = before(field.subscribe);
}

/**
 * Input hygiene for a whole subgraph, in one place: before any resolver (or subscription) runs,
 * every String and ID argument — in input objects and lists, from literals or variables alike —
 * and every string inside custom scalars such as JSONObject is checked for text PostgreSQL cannot
 * store. A refusal is BAD_USER_INPUT whose `field` is the argument path (`input.title`,
 * `scans[2].scanId`). The schema's fields are wrapped in place, once.
 */
export function guardTextArguments(schema: GraphQLSchema): GraphQLSchema {
  const memo = new Map<string, Check | null>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) guardField(field, memo);
  }
  return schema;
}
