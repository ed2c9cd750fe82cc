import { Kind, parse, print, visit, type DocumentNode, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';
import type { FetchNode } from '@apollo/query-planner';
import { LruCache } from '@eventgraph/runtime';

/** The response name of entity fetch `index` in a merged operation. */
export const entitiesAlias = (index: number) => `_${index}`;
/** The variable carrying entity fetch `index`'s representations in a merged operation. */
export const representationsVariable = (index: number) => `representations_${index}`;

const MAX_MERGED = 2_000;
const merged = new LruCache<string, MergedOperation>(MAX_MERGED, Number.POSITIVE_INFINITY);
const fetchIds = new WeakMap<FetchNode, number>();
let nextFetchId = 0;

/**
 * One operation doing the work of several `_entities` fetches to the same subgraph: each fetch's
 * `_entities` is aliased `_<i>` with its own `$representations_<i>`, and its fragments renamed so
 * they cannot clash. The client's variables are shared (they mean the same in every fetch). Built
 * once per combination of fetches and kept.
 */
export interface MergedOperation {
  query: string;
  operationName: string;
}

export function mergedEntitiesOperation(fetches: readonly FetchNode[]): MergedOperation {
  const key = fetches.map(idOf).join(',');
  let operation = merged.get(key);
  if (operation === undefined) {
    const documents = fetches.map((fetch) => fetch.operationDocumentNode ?? parse(fetch.operation));
    // named after the first fetch, so subgraph logs and metrics still tell which client operation it serves
    const operationName = `${fetches[0]?.operationName ?? 'Entities'}__merged`;
    operation = { query: print(mergeDocuments(documents, operationName)), operationName };
    merged.set(key, operation);
  }
  return operation;
}

function idOf(fetch: FetchNode): number {
  let id = fetchIds.get(fetch);
  if (id === undefined) fetchIds.set(fetch, (id = nextFetchId++));
  return id;
}

function mergeDocuments(documents: readonly DocumentNode[], name: string): DocumentNode {
  const variables = new Map<string, VariableDefinitionNode>();
  const selections: OperationDefinitionNode['selectionSet']['selections'][number][] = [];
  const fragments: DocumentNode['definitions'][number][] = [];
  documents.forEach((document, index) => {
    const renamed = visit(document, {
      Variable: (node) =>
        node.name.value === 'representations' ? { ...node, name: { ...node.name, value: representationsVariable(index) } } : node,
      FragmentSpread: (node) => ({ ...node, name: { ...node.name, value: `F${index}_${node.name.value}` } }),
      FragmentDefinition: (node) => ({ ...node, name: { ...node.name, value: `F${index}_${node.name.value}` } }),
    });
    for (const definition of renamed.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) {
        fragments.push(definition);
        continue;
      }
      for (const variable of definition.variableDefinitions ?? []) variables.set(variable.variable.name.value, variable);
      for (const selection of definition.selectionSet.selections) {
        if (selection.kind !== Kind.FIELD || selection.name.value !== '_entities')
          throw new Error('only _entities fetches can be merged');
        selections.push({ ...selection, alias: { kind: Kind.NAME, value: entitiesAlias(index) } });
      }
    }
  });
  const operation: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: 'query' as OperationDefinitionNode['operation'],
    name: { kind: Kind.NAME, value: name },
    variableDefinitions: [...variables.values()],
    selectionSet: { kind: Kind.SELECTION_SET, selections },
  };
  return { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
}
