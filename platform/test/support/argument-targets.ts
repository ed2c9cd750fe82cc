import {
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

/**
 * The arguments of a schema as targets for bad input: every scalar position of every query and
 * mutation argument, inside input objects and lists too, found by walking the schema, so a new
 * field or input is covered without a new test.
 */

export type PathStep = string | number;

export interface ArgumentTarget {
  operation: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
  /** from the argument down to the scalar: ['input', 'limits', 0, 'capacity'] */
  path: PathStep[];
  scalar: string;
  /** the position is in an input field (or argument) whose resolver judges its own text */
  checksOwnText: boolean;
}

/** How deep nested input objects are followed (recursive inputs end here). */
const MAX_DEPTH = 4;

/**
 * Input fields (`Type.field`) and arguments (`Query.field(arg)`) whose resolvers judge their own text
 * (`CHECKS_OWN_TEXT`): a gateway's API schema carries no extensions, so they are read from the
 * subgraphs' own schemas.
 */
export function fieldsCheckingOwnText(schemas: GraphQLSchema[]): Set<string> {
  const marked = new Set<string>();
  for (const schema of schemas)
    for (const type of Object.values(schema.getTypeMap())) {
      if (isInputObjectType(type))
        for (const f of Object.values(type.getFields())) if (f.extensions?.checksOwnText) marked.add(`${type.name}.${f.name}`);
      if (isObjectType(type))
        for (const f of Object.values(type.getFields()))
          for (const a of f.args) if (a.extensions?.checksOwnText) marked.add(`${type.name}.${f.name}(${a.name})`);
    }
  return marked;
}

export function argumentTargets(schema: GraphQLSchema, ownText: Set<string> = new Set()): ArgumentTarget[] {
  const targets: ArgumentTarget[] = [];
  for (const [operation, root] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      for (const arg of field.args) walk(arg.type, [arg.name], ownText.has(`${root!.name}.${field.name}(${arg.name})`));
      function walk(type: GraphQLInputType, path: PathStep[], checksOwnText: boolean): void {
        if (isNonNullType(type)) return walk(type.ofType, path, checksOwnText);
        if (isListType(type)) return walk(type.ofType, [...path, 0], checksOwnText);
        if (isEnumType(type)) return;
        if (isInputObjectType(type)) {
          if (path.length > MAX_DEPTH) return;
          for (const f of Object.values(type.getFields()))
            walk(f.type, [...path, f.name], checksOwnText || ownText.has(`${type.name}.${f.name}`));
          return;
        }
        targets.push({ operation, field, path, scalar: type.name, checksOwnText });
      }
    }
  }
  return targets;
}

/** `input.limits[0].capacity`: how graphql-js and the runtime's input rule name a position. */
export const printPath = (path: PathStep[]) =>
  path.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('');

/** Plausible values for scalars, by the name of the argument or field that holds them. */
export type ScalarValue = (scalar: string, name: string, fieldName: string) => unknown;

/** A valid value of the type: required input fields filled, optional ones left out, lists of one. */
export function baseline(type: GraphQLInputType, name: string, fieldName: string, value: ScalarValue): unknown {
  if (isNonNullType(type)) return baseline(type.ofType, name, fieldName, value);
  if (isListType(type)) return [baseline(type.ofType, name, fieldName, value)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    const object: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields()))
      if (isNonNullType(f.type) && f.defaultValue === undefined) object[f.name] = baseline(f.type, f.name, fieldName, value);
    return object;
  }
  return value(type.name, name, fieldName);
}

const unwrap = (type: GraphQLInputType) => (isNonNullType(type) ? type.ofType : type);

/**
 * The variables for one target: the field's required arguments at their baseline, and `bad` at the
 * target's path (the objects and lists on the way built as baselines).
 */
export function variablesFor(target: ArgumentTarget, bad: unknown, value: ScalarValue): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const arg of target.field.args)
    if (isNonNullType(arg.type) && arg.defaultValue === undefined)
      variables[arg.name] = baseline(arg.type, arg.name, target.field.name, value);
  const arg = target.field.args.find((a) => a.name === target.path[0])!;
  let container: Record<string | number, unknown> = variables;
  let type: GraphQLInputType = arg.type;
  let key: PathStep = arg.name;
  for (const step of target.path.slice(1)) {
    container[key] ??= baseline(type, String(key), target.field.name, value);
    container = container[key] as Record<string | number, unknown>;
    const named = unwrap(type);
    type = isListType(named)
      ? named.ofType
      : (named as { getFields(): Record<string, { type: GraphQLInputType }> }).getFields()[step]!.type;
    key = step;
  }
  container[key] = bad;
  return variables;
}

/** The operation text: every variable given is declared and passed; a composite result selects __typename. */
export function operationFor(target: ArgumentTarget, variables: Record<string, unknown>): string {
  const args = target.field.args.filter((a) => a.name in variables);
  const defs = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const passed = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isCompositeType(getNamedType(target.field.type)) ? ' { __typename }' : '';
  return `${target.operation} Corpus${defs ? `(${defs})` : ''} { ${target.field.name}${passed ? `(${passed})` : ''}${selection} }`;
}
