import { Kind, parse, type ConstDirectiveNode, type DocumentNode, type SchemaDefinitionNode } from 'graphql';

/** Reading and amending the directives of a supergraph parsed by graphql-js (for requirement-fields.ts). */

const INACCESSIBLE_LINK = '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)';
const INACCESSIBLE_DEFINITION =
  'directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION';

export type SpecNames = ReturnType<typeof specNames>;

/** The names the supergraph gives the join and inaccessible specs' directives (`@link(as:)` may rename them). */
export function specNames(document: DocumentNode) {
  const schema = document.definitions.find((d): d is SchemaDefinitionNode => d.kind === Kind.SCHEMA_DEFINITION);
  const link = (spec: string) =>
    schema?.directives?.find((d) => d.name.value === 'link' && stringArgument(d, 'url')?.includes(`/${spec}/v`));
  const inaccessible = link('inaccessible');
  const join = link('join');
  const joinPrefix = (join && stringArgument(join, 'as')) ?? 'join';
  return {
    joinField: `${joinPrefix}__field`,
    graphEnum: `${joinPrefix}__Graph`,
    graphDirective: `${joinPrefix}__graph`,
    inaccessible: inaccessible ? (stringArgument(inaccessible, 'as') ?? 'inaccessible') : 'inaccessible',
    linksInaccessible: !!inaccessible,
  };
}

/** Links the inaccessible spec (and defines its directive) unless the supergraph already does. */
export function withInaccessible(document: DocumentNode, names: SpecNames): DocumentNode {
  if (names.linksInaccessible) return document;
  const [linked] = parse(`schema ${INACCESSIBLE_LINK} { query: Q }`, { noLocation: true }).definitions as [SchemaDefinitionNode];
  const definitions = document.definitions.map((definition) =>
    definition.kind === Kind.SCHEMA_DEFINITION
      ? { ...definition, directives: [...(definition.directives ?? []), ...(linked.directives ?? [])] }
      : definition,
  );
  return { ...document, definitions: [...definitions, ...parse(INACCESSIBLE_DEFINITION, { noLocation: true }).definitions] };
}

/** The join spec's graph enum values → subgraph names (`DIGESTS @join__graph(name: "digests")`). */
export function subgraphNames(document: DocumentNode, names: SpecNames): Map<string, string> {
  const subgraphs = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== names.graphEnum) continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((d) => d.name.value === names.graphDirective);
      const name = graph && stringArgument(graph, 'name');
      if (name) subgraphs.set(value.name.value, name);
    }
  }
  return subgraphs;
}

export function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

export function booleanArgument(directive: ConstDirectiveNode, name: string): boolean {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.BOOLEAN && value.value;
}

export function enumArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.ENUM ? value.value : undefined;
}

export function withStringArgument(directive: ConstDirectiveNode, name: string, value: string): ConstDirectiveNode {
  return {
    ...directive,
    arguments: directive.arguments?.map((a) => (a.name.value === name ? { ...a, value: { kind: Kind.STRING, value } } : a)),
  };
}
