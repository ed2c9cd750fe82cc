import type { FetchDataRewrite, QueryPlanSelectionNode } from '@apollo/query-planner';

/** Tells whether an object of type `typename` matches a type condition (the supergraph knows the subtypes). */
export type TypeMatcher = (typename: string, typeCondition: string) => boolean;

type Data = Record<string, unknown>;

/**
 * The representation of `entity` a subgraph needs (its key and @requires fields), or undefined when
 * the entity lacks a selected field or a `__typename`: such an entity cannot be resolved there.
 */
export function representationOf(
  entity: object,
  requires: readonly QueryPlanSelectionNode[],
  matches: TypeMatcher,
): Data | undefined {
  const representation = select(entity as Data, requires, matches);
  return representation && typeof representation.__typename === 'string' ? representation : undefined;
}

/**
 * A string equal for equal representations and different otherwise (field names, value types and
 * string lengths are part of it), built without JSON.stringify for the scalar fields most
 * representations are made of: a request's entities often number in the thousands.
 */
export function representationKey(representation: Data): string {
  let key = '';
  for (const name in representation) {
    const value = representation[name];
    key +=
      typeof value === 'string'
        ? `${name}\u0000s${value.length}:${value}`
        : `${name}\u0000${value !== null && typeof value === 'object' ? JSON.stringify(value) : `${typeof value}:${String(value)}`}`;
  }
  return key;
}

function select(source: Data, selections: readonly QueryPlanSelectionNode[], matches: TypeMatcher): Data | undefined {
  const result: Data = {};
  for (const selection of selections) {
    if (selection.kind === 'Field') {
      // read under the response name the data was fetched with, written under the name the subgraph knows
      // (the planner sets no alias in `requires`; requirement-plan.ts does, for its synthetic fields)
      const value = source[selection.alias ?? selection.name];
      if (value === undefined) return undefined;
      result[selection.name] = selection.selections && value !== null ? selectValue(value, selection.selections, matches) : value;
    } else {
      const typename = source.__typename;
      if (!selection.typeCondition || (typeof typename === 'string' && matches(typename, selection.typeCondition))) {
        const part = select(source, selection.selections, matches);
        if (part) mergeInto(result, part);
      }
    }
  }
  return result;
}

const selectValue = (value: unknown, selections: readonly QueryPlanSelectionNode[], matches: TypeMatcher): unknown =>
  Array.isArray(value)
    ? value.map((element) => selectValue(element, selections, matches))
    : value === null || typeof value !== 'object'
      ? value
      : (select(value as Data, selections, matches) ?? null);

/** Deep-merges `source` into `target` (subgraph answers about the same object, field by field). */
export function mergeInto(target: Data, source: Data): void {
  // parsed JSON has no inherited keys: for…in walks own keys without an array of them
  for (const key in source) {
    const incoming = source[key];
    const current = target[key];
    if (current && incoming && typeof current === 'object' && typeof incoming === 'object') {
      if (Array.isArray(current) && Array.isArray(incoming)) {
        for (let i = 0; i < incoming.length; i++) {
          const item = incoming[i] as unknown;
          if (current[i] && item && typeof current[i] === 'object' && typeof item === 'object')
            mergeInto(current[i] as Data, item as Data);
          else current[i] = item;
        }
      } else mergeInto(current as Data, incoming as Data);
    } else target[key] = incoming;
  }
}

const FRAGMENT_PREFIX = '... on ';

/**
 * Applies the planner's rewrites to an entity representation (input) or answer (output): a value
 * set at a path (e.g. an @interfaceObject's `__typename`), or a key renamed (an alias back to its field).
 */
export function applyRewrites(rewrites: readonly FetchDataRewrite[] | undefined, value: unknown, matches: TypeMatcher): void {
  if (!rewrites) return;
  for (const rewrite of rewrites) {
    const parents = rewrite.path.slice(0, -1);
    const last = rewrite.path[rewrite.path.length - 1];
    if (last === undefined) continue;
    atPath(parents, value, matches, (object) => {
      if (rewrite.kind === 'ValueSetter') object[last] = rewrite.setValueTo;
      else if (object[last] !== undefined && object[last] !== null) {
        object[rewrite.renameKeyTo] = object[last];
        delete object[last];
      }
    });
  }
}

function atPath(path: readonly string[], value: unknown, matches: TypeMatcher, apply: (object: Data) => void): void {
  if (Array.isArray(value)) {
    for (const element of value) atPath(path, element, matches, apply);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const [first, ...rest] = path;
  if (first === undefined) return apply(value as Data);
  if (first.startsWith(FRAGMENT_PREFIX)) {
    const typename = (value as Data).__typename;
    // an object whose type is not known yet is assumed to match, as the planner expects
    if (typeof typename !== 'string' || matches(typename, first.slice(FRAGMENT_PREFIX.length)))
      atPath(rest, value, matches, apply);
    return;
  }
  atPath(rest, (value as Data)[first], matches, apply);
}
