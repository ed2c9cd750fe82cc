import { Kind, parse, valueFromASTUntyped, type DirectiveNode, type DocumentNode } from 'graphql';

/** A field's `@listSize` (https://specs.apollo.dev/cost/v0.1). */
export interface ListSize {
  /** the list's size when no slicing argument gives one */
  assumedSize?: number;
  /** arguments whose value is the list's size (the largest given wins) */
  slicingArguments?: readonly string[];
  /** the lists below (a connection's `edges`) that the size applies to, instead of this field */
  sizedFields?: readonly string[];
  /** exactly one slicing argument must be given (the spec's default) */
  requireOneSlicingArgument: boolean;
}

/** The cost directives of a supergraph, by `Type.field` and type name. */
export interface CostDirectives {
  fieldWeights: ReadonlyMap<string, number>;
  /** `Type.field.argument` */
  argumentWeights: ReadonlyMap<string, number>;
  typeWeights: ReadonlyMap<string, number>;
  listSizes: ReadonlyMap<string, ListSize>;
}

export const NO_COST_DIRECTIVES: CostDirectives = Object.freeze({
  fieldWeights: new Map(),
  argumentWeights: new Map(),
  typeWeights: new Map(),
  listSizes: new Map(),
});

const COST_SPEC = /^https:\/\/specs\.apollo\.dev\/cost\/v0\.\d+$/;

/** The names the supergraph gives `@cost` and `@listSize`: its `@link` to the cost spec may import or rename them. */
function directiveNames(document: DocumentNode): { cost: string; listSize: string } | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const args = argumentsOf(link);
      if (typeof args.url !== 'string' || !COST_SPEC.test(args.url)) continue;
      const prefix = typeof args.as === 'string' ? args.as : 'cost';
      const names = { cost: `${prefix}__cost`, listSize: `${prefix}__listSize` };
      for (const entry of Array.isArray(args.import) ? args.import : []) {
        const [name, as] = typeof entry === 'string' ? [entry, entry] : [entry?.name, entry?.as ?? entry?.name];
        if (name === '@cost') names.cost = String(as).slice(1);
        if (name === '@listSize') names.listSize = String(as).slice(1);
      }
      return names;
    }
  }
  return undefined;
}

const argumentsOf = (directive: DirectiveNode): Record<string, any> =>
  Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;

const number = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/**
 * Reads `@cost` and `@listSize` from a supergraph's SDL. Composition carries the
 * subgraphs' directives into the supergraph, but the API schema that validates
 * and executes operations drops them, so the gateway reads them here once.
 */
export function readCostDirectives(supergraphSdl: string | DocumentNode): CostDirectives {
  const document = typeof supergraphSdl === 'string' ? parse(supergraphSdl) : supergraphSdl;
  const names = directiveNames(document);
  if (!names) return NO_COST_DIRECTIVES;
  const fieldWeights = new Map<string, number>();
  const argumentWeights = new Map<string, number>();
  const typeWeights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  const weightOf = (directives: readonly DirectiveNode[] | undefined) => {
    const cost = directives?.find((d) => d.name.value === names.cost);
    return cost ? number(argumentsOf(cost).weight) : undefined;
  };
  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name || !('directives' in definition)) continue;
    const typeName = definition.name.value;
    const typeWeight = weightOf(definition.directives);
    if (typeWeight !== undefined) typeWeights.set(typeName, typeWeight);
    if (!('fields' in definition) || !definition.fields) continue;
    for (const field of definition.fields) {
      if (field.kind !== Kind.FIELD_DEFINITION) continue;
      const key = `${typeName}.${field.name.value}`;
      const weight = weightOf(field.directives);
      if (weight !== undefined) fieldWeights.set(key, weight);
      for (const argument of field.arguments ?? []) {
        const argumentWeight = weightOf(argument.directives);
        if (argumentWeight !== undefined) argumentWeights.set(`${key}.${argument.name.value}`, argumentWeight);
      }
      const listSize = field.directives?.find((d) => d.name.value === names.listSize);
      if (!listSize) continue;
      const args = argumentsOf(listSize);
      listSizes.set(key, {
        assumedSize: number(args.assumedSize),
        slicingArguments: strings(args.slicingArguments),
        sizedFields: strings(args.sizedFields),
        requireOneSlicingArgument: args.requireOneSlicingArgument !== false,
      });
    }
  }
  return { fieldWeights, argumentWeights, typeWeights, listSizes };
}
