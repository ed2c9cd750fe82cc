import { GraphQLError } from 'graphql';
import { ErrorCode } from '../subscriptions/errors';
import type { Conditional, FieldInstruction, FragmentInstruction, Shape, ValueShape } from './shape-compiler';

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
