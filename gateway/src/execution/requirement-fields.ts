import {
  Kind,
  parse,
  print,
  stripIgnoredCharacters,
  type ArgumentNode,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type InterfaceTypeDefinitionNode,
  type ObjectTypeDefinitionNode,
  type SelectionNode,
  type TypeNode,
} from 'graphql';
import {
  booleanArgument,
  enumArgument,
  specNames,
  stringArgument,
  subgraphNames,
  withInaccessible,
  withStringArgument,
  type SpecNames,
} from './supergraph-document';

/** What a requirement field stands for: the real field and the requirement's arguments. */
export interface RequirementField {
  readonly name: string;
  readonly arguments: readonly ArgumentNode[];
}

export interface RequirementFields {
  /** synthetic field name → the field and arguments it stands for */
  readonly fields: ReadonlyMap<string, RequirementField>;
  /** `subgraph|Type.field` → the synthetic fields the field's requirement in that subgraph selects */
  readonly requirements: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface SupergraphWithRequirementFields extends RequirementFields {
  /** the supergraph the planner reads (the SDL as given when no requirement has arguments) */
  readonly supergraph: string | DocumentNode;
}

export const requirementKey = (subgraph: string, type: string, field: string) => `${subgraph}|${type}.${field}`;

/** Prefix of the fields the gateway adds (`_egreq<n>_<field>`); the API schema never shows them. */
export const REQUIREMENT_FIELD_PREFIX = '_egreq';

type CompositeType = { -readonly [K in keyof ObjectTypeDefinitionNode]: ObjectTypeDefinitionNode[K] } & {
  kind: ObjectTypeDefinitionNode['kind'] | InterfaceTypeDefinitionNode['kind'];
  fields: FieldDefinitionNode[];
};

/**
 * Gives every `@requires` selection of a field that takes arguments a field of its own, without
 * arguments, in the supergraph the planner reads. The planner keys selections by response name and a
 * representation carries a field under its plain name, so `comments(limit: 1)` required by one field
 * and `comments(limit: 2)` by another would otherwise meet under one name. `_egreq0_comments` resolves
 * where `comments` does (a copy of its `@join__field`s, external in the subgraphs that require it) and
 * is `@inaccessible`, so clients never see it; the executor turns it back into `comments(limit: 1)` in
 * each plan (requirement-plan.ts).
 */
export function withRequirementFields(supergraphSdl: string): SupergraphWithRequirementFields {
  // the common supergraph: no requirement passes arguments, so no two requirements can differ by them
  if (!/requires:\s*"[^"]*\(/.test(supergraphSdl))
    return { supergraph: supergraphSdl, fields: new Map(), requirements: new Map() };
  const document = parse(supergraphSdl, { noLocation: true });
  const names = specNames(document);
  const types = new Map<string, CompositeType>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.INTERFACE_TYPE_DEFINITION)
      types.set(definition.name.value, { ...definition, fields: [...(definition.fields ?? [])] } as CompositeType);

  const rewriter = new RequiresRewriter(types);
  const subgraphOf = subgraphNames(document, names);
  const requirements = new Map<string, ReadonlySet<string>>();
  for (const type of types.values())
    type.fields = type.fields.map((field) => ({
      ...field,
      directives: field.directives?.map((directive) => {
        const requires = directive.name.value === names.joinField && stringArgument(directive, 'requires');
        if (!requires) return directive;
        const graph = enumArgument(directive, 'graph');
        const rewritten = rewriter.rewrite(type, graph, requires);
        const subgraph = graph && subgraphOf.get(graph);
        if (subgraph && rewritten.selects.size)
          requirements.set(requirementKey(subgraph, type.name.value, field.name.value), rewritten.selects);
        return withStringArgument(directive, 'requires', rewritten.fieldSet);
      }),
    }));
  if (rewriter.fields.size === 0) return { supergraph: supergraphSdl, fields: rewriter.fields, requirements };

  // added once every `requires` is rewritten, so a copy's own requirements are rewritten too
  for (const added of rewriter.added) {
    addCopy(types.get(added.type)!, added, rewriter, names);
    // an interface's implementations must have the field too: each resolves it where its own field is resolved
    for (const implementation of types.values())
      if (implementation.interfaces?.some((i) => i.name.value === added.type)) addCopy(implementation, added, rewriter, names);
  }
  for (const type of types.values())
    type.fields = type.fields.map((field) => withoutUnusedExternals(type, field, types, rewriter, names));

  const definitions = document.definitions.map((definition) =>
    definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.INTERFACE_TYPE_DEFINITION
      ? types.get(definition.name.value)!
      : definition,
  );
  return { supergraph: withInaccessible({ ...document, definitions }, names), fields: rewriter.fields, requirements };
}

/**
 * Rewrites `requires` field sets: each selection of a field that takes arguments (given or not, so that
 * all of a representation's values of one field are told apart alike) becomes a synthetic field, one per
 * distinct type, field and arguments.
 */
class RequiresRewriter {
  readonly fields = new Map<string, RequirementField>();
  readonly added: Array<{ type: string; name: string; field: string }> = [];
  /** synthetic field → the graphs whose requirements select it */
  readonly usedBy = new Map<string, Set<string>>();
  /** `graph|Type.field` of the fields whose selections in the graph's requirements were rewritten */
  readonly rewrittenIn = new Set<string>();
  private readonly byRequirement = new Map<string, string>();
  /** every field name of the supergraph, so that no synthetic name takes one */
  private readonly taken: Set<string>;

  constructor(private readonly types: ReadonlyMap<string, CompositeType>) {
    this.taken = new Set([...types.values()].flatMap((type) => type.fields.map((field) => field.name.value)));
  }

  rewrite(type: CompositeType, graph: string | undefined, fieldSet: string): { fieldSet: string; selects: Set<string> } {
    const selects = new Set<string>();
    const selections = this.selections(type, graph, selectionsOf(fieldSet), selects);
    return { fieldSet: stripIgnoredCharacters(selections.map(print).join(' ')), selects };
  }

  private selections(
    parent: CompositeType | undefined,
    graph: string | undefined,
    selections: readonly SelectionNode[],
    selects: Set<string>,
  ): SelectionNode[] {
    return selections.map((selection): SelectionNode => {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const inner = selection.typeCondition ? this.types.get(selection.typeCondition.name.value) : parent;
        const inside = this.selections(inner, graph, selection.selectionSet.selections, selects);
        return { ...selection, selectionSet: { ...selection.selectionSet, selections: inside } };
      }
      if (selection.kind !== Kind.FIELD) return selection;
      const field = parent?.fields.find((f) => f.name.value === selection.name.value);
      const inner = field && this.types.get(namedType(field.type));
      const selectionSet = selection.selectionSet && {
        ...selection.selectionSet,
        selections: this.selections(inner, graph, selection.selectionSet.selections, selects),
      };
      if (!parent || !field?.arguments?.length) return { ...selection, selectionSet };
      this.rewrittenIn.add(`${graph}|${parent.name.value}.${field.name.value}`);
      const name = this.syntheticFor(parent, field, selection.arguments ?? []);
      if (graph) this.usedBy.get(name)!.add(graph);
      selects.add(name);
      return { ...selection, name: { kind: Kind.NAME, value: name }, arguments: [], selectionSet };
    });
  }

  private syntheticFor(type: CompositeType, field: FieldDefinitionNode, args: readonly ArgumentNode[]): string {
    const sorted = [...args].sort((a, b) => a.name.value.localeCompare(b.name.value));
    const key = `${type.name.value}.${field.name.value}(${sorted.map(print).join(',')})`;
    let name = this.byRequirement.get(key);
    if (name === undefined) {
      for (let n = this.fields.size; !name || this.taken.has(name); n++)
        name = `${REQUIREMENT_FIELD_PREFIX}${n}_${field.name.value}`;
      this.taken.add(name);
      this.byRequirement.set(key, name);
      this.fields.set(name, { name: field.name.value, arguments: sorted });
      this.usedBy.set(name, new Set());
      this.added.push({ type: type.name.value, name, field: field.name.value });
    }
    return name;
  }
}

/**
 * Adds the synthetic field to `type`, resolved where the original is (its non-external `@join__field`s,
 * requirements and overrides included) and external in the subgraphs whose requirements select it:
 * an external field no directive uses fails the planner's validation of the extracted subgraph.
 */
function addCopy(
  type: CompositeType,
  { name, field }: { name: string; field: string },
  rewriter: RequiresRewriter,
  names: SpecNames,
): void {
  const original = type.fields.find((f) => f.name.value === field);
  if (!original || type.fields.some((f) => f.name.value === name)) return;
  const joins = (original.directives ?? []).filter((d) => d.name.value === names.joinField);
  const users = rewriter.usedBy.get(name)!;
  const kept = joins.filter((join) => {
    if (!isExternalOnly(join)) return true;
    const graph = enumArgument(join, 'graph');
    return graph !== undefined && users.has(graph);
  });
  type.fields.push({
    kind: Kind.FIELD_DEFINITION,
    name: { kind: Kind.NAME, value: name },
    type: original.type,
    arguments: [],
    // with no @join__field at all a field is resolved in every subgraph of its type, like the original
    directives: [
      ...(kept.length || !joins.length ? kept : joins),
      { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: names.inaccessible } },
    ],
  });
}

/**
 * Drops an original field's external `@join__field(graph: G)` once every requirement of G that selected
 * it selects a synthetic field instead (the planner rejects an unused external field). Kept when G's
 * type may satisfy an interface with it, and when it is the field's only `@join__field`.
 */
function withoutUnusedExternals(
  type: CompositeType,
  field: FieldDefinitionNode,
  types: ReadonlyMap<string, CompositeType>,
  rewriter: RequiresRewriter,
  names: SpecNames,
): FieldDefinitionNode {
  const joins = (field.directives ?? []).filter((d) => d.name.value === names.joinField);
  const ofInterface = type.interfaces?.some((i) =>
    types.get(i.name.value)?.fields.some((f) => f.name.value === field.name.value),
  );
  if (joins.length < 2 || ofInterface) return field;
  const coordinate = (graph: string | undefined) => `${graph}|${type.name.value}.${field.name.value}`;
  const unused = (directive: ConstDirectiveNode) =>
    directive.name.value === names.joinField &&
    booleanArgument(directive, 'external') &&
    rewriter.rewrittenIn.has(coordinate(enumArgument(directive, 'graph')));
  if (!field.directives!.some(unused) || joins.every(unused)) return field;
  return { ...field, directives: field.directives!.filter((directive) => !unused(directive)) };
}

/** A `@join__field` that only says the subgraph declares the field `@external` (or overridden away). */
function isExternalOnly(join: ConstDirectiveNode): boolean {
  return booleanArgument(join, 'external') || (booleanArgument(join, 'usedOverridden') && !stringArgument(join, 'overrideLabel'));
}

function selectionsOf(fieldSet: string): readonly SelectionNode[] {
  const [operation] = parse(`{${fieldSet}}`, { noLocation: true }).definitions;
  return operation?.kind === Kind.OPERATION_DEFINITION ? operation.selectionSet.selections : [];
}

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));
