import {
  GraphQLError,
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
import { ErrorCode } from '../subscriptions/errors';

/**
 * The client's selection compiled once per operation: shaping a response is then a walk over
 * plain instructions, with no schema lookups. It keeps exactly what the client asked for (the
 * planner's keys and `__typename`s go), in the client's order, applies @skip/@include, checks leaf
 * values and turns a null in a non-null position into an error that nulls the nearest nullable parent.
 */
export type Shape = readonly Instruction[];

type Instruction = FieldInstruction | FragmentInstruction;

interface Conditional {
  /** variable names: skipped when any is true */
  readonly skipIf?: readonly string[];
  /** variable names: included only when all are true */
  readonly includeIf?: readonly string[];
  /** literal @skip(if: true)/@include(if: false) */
  readonly never?: boolean;
}

interface FieldInstruction extends Conditional {
  readonly kind: 'field';
  /** the name in the client's response */
  readonly responseName: string;
  /** the name in the fetched data (the gateway aliases client fields so they cannot meet planner fields) */
  readonly sourceName: string;
  readonly parentTypeName: string;
  readonly fieldName: string;
  readonly value: ValueShape;
}

interface FragmentInstruction extends Conditional {
  readonly kind: 'fragment';
  /** object type names the fragment applies to; undefined: every type */
  readonly appliesTo?: ReadonlySet<string>;
  readonly selections: Shape;
  /** `@defer`red: delivered after the initial payload when the client takes incremental delivery */
  readonly defer?: DeferDirective;
}

interface DeferDirective {
  readonly label?: string;
  /** `if: $variable`: deferred only when the variable is not false */
  readonly ifVariable?: string;
}

type ValueShape =
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

/** What shaping needs besides the data: variables (for @skip/@include) and where errors go. */
export interface ShapingRun {
  readonly variables: Readonly<Record<string, unknown>>;
  readonly errors: GraphQLError[];
  /** answers `__schema` / `__type` root fields */
  readonly introspect: (responseName: string) => unknown;
  /** true when a fetch error already explains a null at this path (no second error is added) */
  readonly explained: (path: readonly (string | number)[]) => boolean;
  /** leave `@defer`red fragments out (they come in later payloads) */
  readonly deferring?: boolean;
}

const INVALID = Symbol('invalid');

/** Shapes the merged subgraph data into the response; null when a non-null root field is null. */
export function shapeResponse(
  shape: Shape,
  rootTypeName: string,
  data: Record<string, unknown>,
  run: ShapingRun,
): Record<string, unknown> | null {
  const output: Record<string, unknown> = {};
  const path: (string | number)[] = [];
  return applySelections(shape, data, output, rootTypeName, run, path) === INVALID ? null : output;
}

const skipped = (instruction: Conditional, variables: Readonly<Record<string, unknown>>): boolean =>
  instruction.never === true ||
  (instruction.skipIf?.some((name) => variables[name] === true) ?? false) ||
  (instruction.includeIf?.some((name) => variables[name] !== true) ?? false);

function applySelections(
  shape: Shape,
  input: Record<string, unknown>,
  output: Record<string, unknown>,
  typeName: string,
  run: ShapingRun,
  path: (string | number)[],
): typeof INVALID | undefined {
  for (const instruction of shape) {
    if ((instruction.skipIf || instruction.includeIf || instruction.never) && skipped(instruction, run.variables)) continue;
    if (instruction.kind === 'fragment') {
      if (instruction.appliesTo && !instruction.appliesTo.has(typeName)) continue;
      if (run.deferring && isDeferred(instruction, run.variables)) continue;
      if (applySelections(instruction.selections, input, output, typeName, run, path) === INVALID) return INVALID;
      continue;
    }
    const { responseName, value } = instruction;
    if (value.kind === 'typename') {
      output[responseName] = typeName;
      continue;
    }
    if (value.kind === 'introspection') {
      if (output[responseName] === undefined) output[responseName] = run.introspect(responseName);
      continue;
    }
    path.push(responseName);
    const shaped = completeValue(value, input[instruction.sourceName], output[responseName], instruction, run, path);
    path.pop();
    if (shaped === INVALID) return INVALID;
    output[responseName] = shaped;
  }
  return undefined;
}

const isDeferred = (fragment: FragmentInstruction, variables: Readonly<Record<string, unknown>>): boolean =>
  !!fragment.defer && (fragment.defer.ifVariable === undefined || variables[fragment.defer.ifVariable] !== false);

/** One deferred fragment's part of a later payload: the fragment's fields of one object, and where it is. */
export interface DeferredPart {
  readonly path: (string | number)[];
  readonly label?: string;
  readonly data: Record<string, unknown> | null;
}

/**
 * The deferred fragments' payload parts, once their data is merged: every place a deferred fragment
 * applies (each list element is its own place), shaped like the initial payload, nested deferred
 * fragments left for their own part.
 */
export function shapeDeferred(
  shape: Shape,
  rootTypeName: string,
  data: Record<string, unknown>,
  run: ShapingRun,
): DeferredPart[] {
  const parts: DeferredPart[] = [];
  const visit = (selections: Shape, input: Record<string, unknown>, typeName: string, path: (string | number)[]) => {
    for (const instruction of selections) {
      if ((instruction.skipIf || instruction.includeIf || instruction.never) && skipped(instruction, run.variables)) continue;
      if (instruction.kind === 'fragment') {
        if (instruction.appliesTo && !instruction.appliesTo.has(typeName)) continue;
        if (isDeferred(instruction, run.variables)) {
          const output: Record<string, unknown> = {};
          const at = [...path];
          const applied = applySelections(instruction.selections, input, output, typeName, run, at);
          parts.push({
            path: [...path],
            data: applied === INVALID ? null : output,
            ...(instruction.defer?.label ? { label: instruction.defer.label } : {}),
          });
        }
        visit(instruction.selections, input, typeName, path);
      } else if (instruction.value.kind === 'object' || instruction.value.kind === 'list') {
        visitValue(instruction.value, input[instruction.sourceName], [...path, instruction.responseName]);
      }
    }
  };
  const visitValue = (shapeOf: ValueShape, value: unknown, path: (string | number)[]) => {
    if (value === null || typeof value !== 'object') return;
    if (shapeOf.kind === 'list' && Array.isArray(value)) value.forEach((item, i) => visitValue(shapeOf.of, item, [...path, i]));
    else if (shapeOf.kind === 'object' && !Array.isArray(value)) {
      const runtimeType = runtimeTypeOf(shapeOf, value as Record<string, unknown>);
      if (runtimeType) visit(shapeOf.selections, value as Record<string, unknown>, runtimeType, path);
    }
  };
  visit(shape, data, rootTypeName, []);
  return parts;
}

function completeValue(
  shape: ValueShape,
  input: unknown,
  existing: unknown,
  field: FieldInstruction,
  run: ShapingRun,
  path: (string | number)[],
): unknown {
  const nonNull = 'nonNull' in shape && shape.nonNull;
  let result: unknown;
  if (input === null || input === undefined) result = null;
  else if (shape.kind === 'leaf') {
    if (shape.check(input)) result = input;
    else {
      run.errors.push(shapingError(`Invalid value found for field ${field.parentTypeName}.${field.fieldName}.`, path));
      result = null;
      if (nonNull) return INVALID;
    }
  } else if (shape.kind === 'list') {
    if (!Array.isArray(input)) result = invalidValue(field, run, path);
    else {
      const previous = Array.isArray(existing) ? existing : undefined;
      const list = new Array<unknown>(input.length);
      result = list;
      for (let i = 0; i < input.length; i++) {
        path.push(i);
        const item = completeValue(shape.of, input[i], previous?.[i], field, run, path);
        path.pop();
        // the item's error is reported already: the list becomes null, or its parent if it is non-null
        if (item === INVALID) return nonNull ? INVALID : null;
        list[i] = item;
      }
    }
  } else if (shape.kind === 'object') {
    if (typeof input !== 'object' || Array.isArray(input)) result = invalidValue(field, run, path);
    else {
      const runtimeType = runtimeTypeOf(shape, input as Record<string, unknown>);
      if (runtimeType === undefined) {
        // an interface object no subgraph resolved to a concrete type (or a value without __typename)
        const typename = (input as { __typename?: unknown }).__typename;
        const message =
          typeof typename === 'string'
            ? `No subgraph resolves this ${typename} to a concrete type (field ${field.parentTypeName}.${field.fieldName}).`
            : `Missing __typename for field ${field.parentTypeName}.${field.fieldName}.`;
        run.errors.push(shapingError(message, path, typeof typename === 'string' ? ErrorCode.EntityNotResolved : undefined));
        return nonNull ? INVALID : null;
      }
      const target = existing && typeof existing === 'object' ? (existing as Record<string, unknown>) : {};
      const applied = applySelections(shape.selections, input as Record<string, unknown>, target, runtimeType, run, path);
      if (applied === INVALID) return nonNull ? INVALID : null;
      result = target;
    }
  }
  if (result === null && nonNull) {
    if (!run.explained(path))
      run.errors.push(
        shapingError(`Cannot return null for non-nullable field ${field.parentTypeName}.${field.fieldName}.`, path),
      );
    return INVALID;
  }
  return result;
}

/**
 * The concrete type to shape a value as: its `__typename` when that is one of the field type's
 * object types, the static type otherwise. A value of an abstract type whose selection needs no
 * concrete type (only the interface's fields) is shaped as the interface.
 */
function runtimeTypeOf(shape: Extract<ValueShape, { kind: 'object' }>, value: Record<string, unknown>): string | undefined {
  if (shape.objectTypeName) return shape.objectTypeName;
  const abstract = shape.abstractType!;
  const typename = value.__typename;
  if (typeof typename === 'string' && abstract.objectTypes.has(typename)) return typename;
  return abstract.typeNeeded ? undefined : abstract.name;
}

function invalidValue(field: FieldInstruction, run: ShapingRun, path: (string | number)[]): null {
  run.errors.push(shapingError(`Invalid value found for field ${field.parentTypeName}.${field.fieldName}.`, path));
  return null;
}

/** A subgraph answered something its schema does not allow: the client sees where, not what. */
const shapingError = (message: string, path: readonly (string | number)[], code: string = ErrorCode.InvalidSubgraphResponse) =>
  new GraphQLError(message, { path: [...path], extensions: { code } });
