import {
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  getNamedType,
  getNullableType,
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

export interface CostOptions {
  /** assumed length of a list field called without a size argument (nor a schema default for one) */
  defaultListSize: number;
  /** arguments that bound how many items a list field returns, first match wins */
  listSizeArguments: readonly string[];
}

/**
 * Static upper-bound estimate of the work an operation asks for: every field
 * costs 1 (`__typename` is free), and a list field multiplies the cost of its
 * selection by the list size it asks for (`first`/`limit`, from the literal, the
 * variable, the variable's default or the schema's default for the argument,
 * else `defaultListSize`). A Relay connection (a field that is no list but takes a
 * size argument) hands its size to the lists directly below it (`edges`), as
 * the cost spec's `@listSize(slicingArguments, sizedFields)` would.
 *
 * Deliberately conservative: @skip/@include are ignored, and every branch of an
 * abstract type's selection is added rather than only the most expensive.
 * Fields unknown to the schema cost 1 (validation rejects them separately).
 */
export function estimateCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | undefined,
  options: CostOptions,
): number {
  const variableDefaults = new Map(
    (operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d.defaultValue] as const),
  );
  // a fragment's cost depends only on its own type condition and the variables, so one pass each
  const fragmentCosts = new Map<string, number>();
  const inProgress = new Set<string>();

  const intValue = (node: ValueNode | undefined): number | undefined => {
    if (!node) return undefined;
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.VARIABLE) {
      const name = node.name.value;
      const value = variables?.[name];
      if (value != null) return typeof value === 'number' ? value : undefined;
      return intValue(variableDefaults.get(name));
    }
    return undefined;
  };

  /** the size a field's arguments ask for (literal, variable, defaults), or undefined when it names none */
  const askedSize = (field: FieldNode, definition: GraphQLField<unknown, unknown> | undefined): number | undefined => {
    for (const name of options.listSizeArguments) {
      const given = field.arguments?.find((a) => a.name.value === name);
      const size = given ? intValue(given.value) : definition?.args.find((a) => a.name === name)?.defaultValue;
      if (typeof size === 'number' && Number.isFinite(size)) return Math.max(0, size);
      if (given) return undefined; // given but not a usable number (e.g. null): the default size
    }
    return undefined;
  };

  const fieldDefinition = (
    parent: GraphQLCompositeType | undefined,
    name: string,
  ): GraphQLField<unknown, unknown> | undefined => {
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

  const fragmentCost = (name: string, sliceSize: number | undefined): number => {
    const key = `${name}/${sliceSize ?? ''}`;
    const known = fragmentCosts.get(key);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return 0; // unknown or cyclic: validation reports it
    inProgress.add(name);
    const cost = selectionCost(fragment.selectionSet, typeNamed(fragment.typeCondition.name.value), sliceSize);
    inProgress.delete(name);
    fragmentCosts.set(key, cost);
    return cost;
  };

  /** `sliceSize`: the size a connection above asked for, which bounds the lists of this selection */
  const selectionCost = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType | undefined,
    sliceSize?: number,
  ): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '__typename') continue;
        const definition = fieldDefinition(parent, selection.name.value);
        if (!selection.selectionSet) {
          cost += 1;
          continue;
        }
        const namedType = definition && getNamedType(definition.type);
        const isList = definition !== undefined && isListType(getNullableType(definition.type));
        const asked = askedSize(selection, definition);
        const below = selectionCost(
          selection.selectionSet,
          isCompositeType(namedType) ? namedType : undefined,
          isList ? undefined : asked,
        );
        cost += 1 + (isList ? (asked ?? sliceSize ?? options.defaultListSize) : 1) * below;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        cost += selectionCost(
          selection.selectionSet,
          selection.typeCondition ? typeNamed(selection.typeCondition.name.value) : parent,
          sliceSize,
        );
      } else {
        cost += fragmentCost(selection.name.value, sliceSize);
      }
    }
    return cost;
  };

  return selectionCost(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
}
