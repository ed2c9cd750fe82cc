import {
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { NO_COST_DIRECTIVES, type CostDirectives, type ListSize } from './cost-directives';

export interface CostOptions {
  /** assumed length of a list field that has no @listSize and is called without a size argument */
  defaultListSize: number;
  /** arguments that bound a list field without @listSize, first match wins */
  listSizeArguments: readonly string[];
  /** the supergraph's @cost and @listSize (see readCostDirectives) */
  costDirectives?: CostDirectives;
}

export interface CostEstimate {
  cost: number;
  /** `Type.field` of a field whose @listSize requires exactly one slicing argument and was given none or several */
  missingSlicingArgument?: string;
  /** the variables the estimate read: it is the same for every request with the same values of these */
  variablesRead: readonly string[];
}

/** The size a connection above hands to the lists named in `fields` (every list below when undefined). */
interface Slice {
  size: number;
  fields?: readonly string[];
}

/**
 * Static upper-bound estimate of the work an operation asks for, after the cost
 * spec (https://specs.apollo.dev/cost/v0.1): every field costs its `@cost`
 * weight, else its type's, else 1 (`__typename` is free), plus the weights of
 * the arguments it is given; a list field multiplies the cost of its selection
 * by its size. The size comes from the field's `@listSize`: the largest of its
 * slicing arguments (literal, variable, variable's default, argument's default),
 * else its assumedSize; with sizedFields (a Relay connection's `edges`) the size
 * applies to those lists below instead. A list without @listSize takes its size
 * from `listSizeArguments`, else a connection above, else `defaultListSize`.
 *
 * A selection on an interface or union costs as much as its costliest possible
 * type. @skip/@include are ignored (an upper bound). Fields unknown to the
 * schema cost 1 (validation rejects them separately); fragment cycles cost 0.
 */
export function analyzeCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | undefined,
  options: CostOptions,
): CostEstimate {
  const directives = options.costDirectives ?? NO_COST_DIRECTIVES;
  const variableDefaults = new Map(
    (operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d.defaultValue] as const),
  );
  const variablesRead = new Set<string>();
  let missingSlicingArgument: string | undefined;
  // a fragment's cost depends only on the type it is spread on, the slice above and the variables
  const fragmentCosts = new Map<string, number>();
  const inProgress = new Set<string>();

  const intValue = (node: ValueNode | undefined): number | null | undefined => {
    if (!node) return undefined;
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.NULL) return null;
    if (node.kind === Kind.VARIABLE) {
      const name = node.name.value;
      variablesRead.add(name);
      const value = variables?.[name];
      if (value !== undefined) return typeof value === 'number' ? value : value === null ? null : undefined;
      return intValue(variableDefaults.get(name));
    }
    return undefined;
  };

  /** the value of a size argument: given (literal, variable, defaults) or the schema's default; undefined when none */
  const argumentSize = (
    field: FieldNode,
    definition: GraphQLField<unknown, unknown> | undefined,
    name: string,
  ): { given: boolean; size?: number } => {
    const node = field.arguments?.find((a) => a.name.value === name);
    const value = node ? intValue(node.value) : undefined;
    const given = value !== undefined && value !== null;
    const size = given ? value : definition?.args.find((a) => a.name === name)?.defaultValue;
    return { given, size: typeof size === 'number' && Number.isFinite(size) ? Math.max(0, size) : undefined };
  };

  const legacySize = (field: FieldNode, definition: GraphQLField<unknown, unknown> | undefined) => {
    for (const name of options.listSizeArguments) {
      const { size } = argumentSize(field, definition, name);
      if (size !== undefined) return size;
    }
    return undefined;
  };

  const declaredSize = (
    field: FieldNode,
    definition: GraphQLField<unknown, unknown> | undefined,
    key: string,
    listSize: ListSize,
  ): number | undefined => {
    let size: number | undefined;
    let given = 0;
    for (const name of listSize.slicingArguments ?? []) {
      const argument = argumentSize(field, definition, name);
      if (argument.given) given += 1;
      if (argument.size !== undefined) size = Math.max(size ?? 0, argument.size);
    }
    if (listSize.requireOneSlicingArgument && listSize.slicingArguments?.length && given !== 1) {
      missingSlicingArgument ??= key;
    }
    return size ?? listSize.assumedSize;
  };

  const fieldDefinition = (parent: GraphQLCompositeType | undefined, name: string) => {
    if (parent && parent === schema.getQueryType()) {
      if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
      if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
    }
    return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
  };

  const typeNamed = (name: string): GraphQLCompositeType | undefined => {
    const type = schema.getType(name);
    return isCompositeType(type) ? type : undefined;
  };

  /** whether a fragment on `condition` applies to `current`, and the type its selections run on */
  const narrow = (current: GraphQLCompositeType | undefined, condition: GraphQLCompositeType | undefined) => {
    if (!condition || !current) return { applies: true, type: condition ?? current };
    if (condition === current) return { applies: true, type: current };
    if (isObjectType(current)) {
      return { applies: isAbstractType(condition) && schema.isSubType(condition, current), type: current };
    }
    return { applies: true, type: condition }; // an abstract type: branches are weighed by selectionCost
  };

  const conditionOf = (selection: SelectionSetNode['selections'][number]) => {
    if (selection.kind === Kind.INLINE_FRAGMENT) return selection.typeCondition?.name.value;
    if (selection.kind === Kind.FRAGMENT_SPREAD) return fragments.get(selection.name.value)?.typeCondition.name.value;
    return undefined;
  };

  /** true when some fragment (through fragments on the same type) narrows `parent` to another type */
  const branches = (set: SelectionSetNode, parent: GraphQLCompositeType, seen = new Set<string>()): boolean =>
    set.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return false;
      const condition = conditionOf(selection);
      if (condition && condition !== parent.name) return true;
      if (selection.kind === Kind.INLINE_FRAGMENT) return branches(selection.selectionSet, parent, seen);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return false;
      seen.add(fragment.name.value);
      return branches(fragment.selectionSet, parent, seen);
    });

  const selectionCost = (set: SelectionSetNode, parent: GraphQLCompositeType | undefined, slice?: Slice): number => {
    if (!parent || !isAbstractType(parent) || !branches(set, parent)) return setCost(set, parent, slice);
    let costliest = 0;
    for (const type of schema.getPossibleTypes(parent)) costliest = Math.max(costliest, setCost(set, type, slice));
    return costliest;
  };

  const fragmentCost = (name: string, current: GraphQLCompositeType | undefined, slice?: Slice): number => {
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return 0; // unknown or cyclic: validation reports it
    const { applies, type } = narrow(current, typeNamed(fragment.typeCondition.name.value));
    if (!applies) return 0;
    const key = `${name}/${type?.name ?? ''}/${slice?.size ?? ''}/${slice?.fields?.join(',') ?? ''}`;
    const known = fragmentCosts.get(key);
    if (known !== undefined) return known;
    inProgress.add(name);
    const cost = selectionCost(fragment.selectionSet, type, slice);
    inProgress.delete(name);
    fragmentCosts.set(key, cost);
    return cost;
  };

  /** `Type.field` of the field's own directives, else of an interface's field it implements that has some */
  const directivesKey = (parent: GraphQLCompositeType | undefined, name: string): string => {
    const own = `${parent?.name}.${name}`;
    if (!isObjectType(parent) || directives.listSizes.has(own) || directives.fieldWeights.has(own)) return own;
    const inherited = parent
      .getInterfaces()
      .map((i) => `${i.name}.${name}`)
      .find((key) => directives.listSizes.has(key) || directives.fieldWeights.has(key));
    return inherited ?? own;
  };

  const fieldCost = (field: FieldNode, parent: GraphQLCompositeType | undefined, slice?: Slice): number => {
    const definition = fieldDefinition(parent, field.name.value);
    const key = directivesKey(parent, field.name.value);
    const namedType = definition && getNamedType(definition.type);
    let weight = directives.fieldWeights.get(key) ?? (namedType && directives.typeWeights.get(namedType.name)) ?? 1;
    for (const argument of field.arguments ?? []) weight += directives.argumentWeights.get(`${key}.${argument.name.value}`) ?? 0;
    if (!field.selectionSet) return weight;
    const isList = definition !== undefined && isListType(getNullableType(definition.type));
    const listSize = directives.listSizes.get(key);
    let size: number | undefined;
    let sliceBelow: Slice | undefined;
    if (listSize) {
      size = declaredSize(field, definition, key, listSize);
      if (listSize.sizedFields?.length && size !== undefined) {
        sliceBelow = { size, fields: listSize.sizedFields };
        size = undefined; // the size is the lists' below, not this field's
      }
    } else {
      size = legacySize(field, definition);
      if (!isList && size !== undefined) sliceBelow = { size }; // a connection without @listSize
    }
    const fromSlice = slice && (!slice.fields || slice.fields.includes(field.name.value)) ? slice.size : undefined;
    const below = selectionCost(field.selectionSet, isCompositeType(namedType) ? namedType : undefined, sliceBelow);
    const count = isList ? (size ?? fromSlice ?? options.defaultListSize) : 1;
    return weight + count * below;
  };

  const setCost = (set: SelectionSetNode, current: GraphQLCompositeType | undefined, slice?: Slice): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '__typename') cost += fieldCost(selection, current, slice);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? typeNamed(selection.typeCondition.name.value) : undefined;
        const { applies, type } = narrow(current, condition);
        if (applies) cost += selectionCost(selection.selectionSet, type, slice);
      } else {
        cost += fragmentCost(selection.name.value, current, slice);
      }
    }
    return cost;
  };

  const cost = selectionCost(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
  return { cost, missingSlicingArgument, variablesRead: [...variablesRead] };
}

/** The estimate's number alone (see analyzeCost). */
export const estimateCost = (...args: Parameters<typeof analyzeCost>): number => analyzeCost(...args).cost;
