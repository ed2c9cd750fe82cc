import {
  Kind,
  getNamedType,
  isEnumType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type DirectiveNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/**
 * The client's selection compiled once per operation: shaping a response is then a walk over
 * plain instructions, with no schema lookups. It keeps exactly what the client asked for (the
 * planner's keys and `__typename`s go), in the client's order, applies @skip/@include, checks leaf
 * values and turns a null in a non-null position into an error that nulls the nearest nullable parent.
 */
export type Shape = readonly Instruction[];

export type Instruction = FieldInstruction | FragmentInstruction;

export interface Conditional {
  /** variable names: skipped when any is true */
  readonly skipIf?: readonly string[];
  /** variable names: included only when all are true */
  readonly includeIf?: readonly string[];
  /** literal @skip(if: true)/@include(if: false) */
  readonly never?: boolean;
}

export interface FieldInstruction extends Conditional {
  readonly kind: 'field';
  /** the name in the client's response */
  readonly responseName: string;
  /** the name in the fetched data (the gateway aliases client fields so they cannot meet planner fields) */
  readonly sourceName: string;
  readonly parentTypeName: string;
  readonly fieldName: string;
  readonly value: ValueShape;
}

export interface FragmentInstruction extends Conditional {
  readonly kind: 'fragment';
  /** object type names the fragment applies to; undefined: every type */
  readonly appliesTo?: ReadonlySet<string>;
  readonly selections: Shape;
  /** `@defer`red: delivered after the initial payload when the client takes incremental delivery */
  readonly defer?: DeferDirective;
}

export interface DeferDirective {
  readonly label?: string;
  /** `if: $variable`: deferred only when the variable is not false */
  readonly ifVariable?: string;
}

export type ValueShape =
  | { readonly kind: 'typename' }
  | { readonly kind: 'introspection' }
  | { readonly kind: 'leaf'; readonly check: (value: unknown) => boolean }
  | { readonly kind: 'list'; readonly nonNull: boolean; readonly of: ValueShape }
  | {
      readonly kind: 'object';
      readonly nonNull: boolean;
      /** the static type's name when it is an object type (values of abstract types carry __typename) */
      readonly objectTypeName?: string;
      /** an abstract type: its object types, and its name where the selection needs no runtime type */
      readonly abstractType?: { readonly name: string; readonly objectTypes: ReadonlySet<string>; readonly typeNeeded: boolean };
      readonly selections: Shape;
    };

type NonNullable_ = { nonNull: boolean };

/** Compiles a selection set of `parentType` (fragment spreads inlined). */
export function compileShape(
  schema: GraphQLSchema,
  parentType: GraphQLCompositeType,
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  /** the client's response name of a field aliased by the gateway, by that alias */
  clientNames: ReadonlyMap<string, string> = new Map(),
): Shape {
  const compile = (type: GraphQLCompositeType, set: SelectionSetNode): Instruction[] =>
    set.selections.map((selection): Instruction => {
      const conditions = conditionsOf(selection.directives);
      if (selection.kind === Kind.FIELD) {
        const sourceName = selection.alias?.value ?? selection.name.value;
        const responseName = clientNames.get(sourceName) ?? sourceName;
        const fieldName = selection.name.value;
        const base = { kind: 'field' as const, responseName, sourceName, parentTypeName: type.name, fieldName, ...conditions };
        if (fieldName === '__typename') return { ...base, value: { kind: 'typename' } };
        if (fieldName === '__schema' || fieldName === '__type') return { ...base, value: { kind: 'introspection' } };
        const definition = 'getFields' in type ? type.getFields()[fieldName] : undefined;
        if (!definition) throw new Error(`Unknown field ${type.name}.${fieldName}`);
        return { ...base, value: valueShape(definition.type, selection.selectionSet) };
      }
      const typeConditionName =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selection.typeCondition?.name.value
          : fragments[selection.name.value]?.typeCondition.name.value;
      const set2 =
        selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments[selection.name.value]?.selectionSet;
      if (!set2) throw new Error(`Unknown fragment ${selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : ''}`);
      const conditionType = typeConditionName ? (schema.getType(typeConditionName) as GraphQLCompositeType) : type;
      const defer = deferOf(selection.directives);
      return {
        kind: 'fragment',
        appliesTo: typeConditionName ? objectTypesOf(conditionType) : undefined,
        selections: compile(conditionType, set2),
        ...(defer ? { defer } : {}),
        ...conditions,
      };
    });

  const objectTypesOf = (type: GraphQLCompositeType): ReadonlySet<string> =>
    new Set(isObjectType(type) ? [type.name] : schema.getPossibleTypes(type).map((t) => t.name));

  const valueShape = (type: GraphQLOutputType, set: SelectionSetNode | undefined): ValueShape & Partial<NonNullable_> => {
    if (isNonNullType(type)) return { ...valueShape(type.ofType, set), nonNull: true };
    if (isListType(type)) return { kind: 'list', nonNull: false, of: valueShape(type.ofType, set) };
    if (isLeafType(type)) return { kind: 'leaf', check: leafCheck(type) };
    const named = getNamedType(type) as GraphQLCompositeType;
    const selections = compile(named, set!);
    return {
      kind: 'object',
      nonNull: false,
      ...(isObjectType(named)
        ? { objectTypeName: named.name }
        : { abstractType: { name: named.name, objectTypes: objectTypesOf(named), typeNeeded: needsRuntimeType(selections) } }),
      selections,
    };
  };

  return compile(parentType, selectionSet);
}

/** Whether shaping a selection depends on the object's concrete type (a type condition or `__typename`). */
function needsRuntimeType(selections: Shape): boolean {
  return selections.some((instruction) =>
    instruction.kind === 'fragment'
      ? !!instruction.appliesTo || needsRuntimeType(instruction.selections)
      : instruction.value.kind === 'typename',
  );
}

const BUILT_IN_CHECKS: Record<string, (value: unknown) => boolean> = {
  Int: (v) => Number.isInteger(v),
  Float: (v) => typeof v === 'number' && Number.isFinite(v),
  String: (v) => typeof v === 'string',
  Boolean: (v) => typeof v === 'boolean',
  ID: (v) => typeof v === 'string' || Number.isInteger(v),
};

const leafCheck = (type: GraphQLOutputType): ((value: unknown) => boolean) => {
  const named = getNamedType(type);
  if (isEnumType(named)) {
    const values = new Set(named.getValues().map((v) => v.name));
    return (v) => typeof v === 'string' && values.has(v);
  }
  return BUILT_IN_CHECKS[named.name] ?? (() => true);
};

function conditionsOf(directives: readonly DirectiveNode[] | undefined): Conditional {
  if (!directives?.length) return {};
  const skipIf: string[] = [];
  const includeIf: string[] = [];
  let never = false;
  for (const directive of directives) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const arg = directive.arguments?.find((a) => a.name.value === 'if')?.value;
    if (arg?.kind === Kind.VARIABLE) (name === 'skip' ? skipIf : includeIf).push(arg.name.value);
    else if (arg?.kind === Kind.BOOLEAN && arg.value === (name === 'skip')) never = true;
  }
  return {
    ...(skipIf.length ? { skipIf } : {}),
    ...(includeIf.length ? { includeIf } : {}),
    ...(never ? { never } : {}),
  };
}

function deferOf(directives: readonly DirectiveNode[] | undefined): DeferDirective | undefined {
  const directive = directives?.find((d) => d.name.value === 'defer');
  if (!directive) return undefined;
  const argument = (name: string) => directive.arguments?.find((a) => a.name.value === name)?.value;
  const condition = argument('if');
  if (condition?.kind === Kind.BOOLEAN && !condition.value) return undefined;
  const label = argument('label');
  return {
    ...(label?.kind === Kind.STRING ? { label: label.value } : {}),
    ...(condition?.kind === Kind.VARIABLE ? { ifVariable: condition.name.value } : {}),
  };
}
