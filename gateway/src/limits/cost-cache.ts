import type { DocumentNode, FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { analyzeCost, type CostEstimate, type CostOptions } from './cost';
import { NO_COST_DIRECTIVES, type CostDirectives } from './cost-directives';

interface OperationEntry {
  /** the variables the estimate depends on (those read by size arguments) */
  variables: readonly string[];
  byValues: Map<string, CostEstimate>;
}

/** distinct variable values kept per operation; past it the entry starts over (a client paging through sizes) */
const MAX_VALUES_PER_OPERATION = 64;

// Apollo Server keeps one parsed DocumentNode per query text and schema, so a document's
// operations are estimated once per shape of the variables their sizes read.
const cache = new WeakMap<GraphQLSchema, WeakMap<CostDirectives, WeakMap<DocumentNode, Map<string, OperationEntry>>>>();

function entriesFor(schema: GraphQLSchema, options: CostOptions, document: DocumentNode) {
  let byOptions = cache.get(schema);
  if (!byOptions) cache.set(schema, (byOptions = new WeakMap()));
  const directives = options.costDirectives ?? NO_COST_DIRECTIVES;
  let byDocument = byOptions.get(directives);
  if (!byDocument) byOptions.set(directives, (byDocument = new WeakMap()));
  let byOperation = byDocument.get(document);
  if (!byOperation) byDocument.set(document, (byOperation = new Map()));
  return byOperation;
}

const valuesKey = (names: readonly string[], variables: Record<string, unknown> | undefined) =>
  names.length ? JSON.stringify(names.map((name) => variables?.[name] ?? null)) : '';

/** analyzeCost, remembered per document, operation and values of the variables the estimate reads. */
export function cachedCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | undefined,
  options: CostOptions,
): CostEstimate {
  const entries = entriesFor(schema, options, document);
  // the same estimate for every caller kind: only the limit it is compared with differs
  const name = `${operation.name?.value ?? ''}\0${options.defaultListSize}\0${options.listSizeArguments.join(',')}`;
  const entry = entries.get(name);
  const key = entry && valuesKey(entry.variables, variables);
  const known = entry && entry.byValues.get(key!);
  if (known) return known;
  const estimate = analyzeCost(schema, operation, fragments, variables, options);
  if (!entry || entry.byValues.size >= MAX_VALUES_PER_OPERATION) {
    entries.set(name, {
      variables: estimate.variablesRead,
      byValues: new Map([[valuesKey(estimate.variablesRead, variables), estimate]]),
    });
  } else {
    entry.byValues.set(key!, estimate);
  }
  return estimate;
}
