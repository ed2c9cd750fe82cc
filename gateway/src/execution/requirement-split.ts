import {
  Kind,
  parse,
  print,
  stripIgnoredCharacters,
  visit,
  BREAK,
  type DocumentNode,
  type FieldNode,
  type SelectionSetNode,
} from 'graphql';
import type { FetchNode, QueryPlanSelectionNode } from '@apollo/query-planner';
import { requirementKey, type RequirementFields } from './requirement-fields';

/**
 * Splits an entity fetch whose representation would need two values of one field — `summary` requires
 * `comments(limit: 1)` and `digest` `comments(limit: 2)`, planned into one fetch — into fetches whose
 * requirements agree: the requiring subgraph reads a requirement under the field's own name, so each
 * representation can carry only one of them. Each fetch asks for the entity fields of its group
 * (fields without such a requirement go with the first); fetches that are ready together still reach
 * the subgraph as one request (entity-batcher.ts). Any other fetch is returned as it is; one that needs
 * splitting but cannot be split fails planning (QUERY_PLANNING_FAILED) rather than answer wrongly.
 */
export function splitByRequirements(fetch: FetchNode, requirements: RequirementFields): FetchNode[] {
  if (!fetch.requires) return [fetch];
  const conflicts = conflictsIn(fetch.requires, requirements);
  if (conflicts.size === 0) return [fetch];
  const document = fetch.operationDocumentNode ?? parse(fetch.operation);
  const entityFields = entityFieldsOf(document);
  // sent whole, the fetch would answer with one requirement's value in place of another's: planning fails instead
  if (!entityFields)
    throw new Error(
      `The entity fetch to "${fetch.serviceName}" needs two values of one field and cannot be split: ${fetch.operation}`,
    );

  const groups: Array<{ needs: Set<string>; fields: Set<FieldNode> }> = [];
  const conflictsWith = (needs: ReadonlySet<string>, other: ReadonlySet<string>) =>
    [...needs].some((name) => [...other].some((taken) => conflicts.get(name)?.has(taken)));
  for (const { field, type } of entityFields) {
    const needs = new Set(requirements.requirements.get(requirementKey(fetch.serviceName, type, field.name.value)) ?? []);
    let group = groups.find((candidate) => !conflictsWith(needs, candidate.needs));
    if (!group) groups.push((group = { needs: new Set(), fields: new Set() }));
    for (const name of needs) group.needs.add(name);
    group.fields.add(field);
  }
  if (groups.length === 1) return [fetch];
  return groups.map((group) => fetchOfGroup(fetch, document, group.fields, group.needs, requirements));
}

/**
 * Pairs of the requirement fields of `requires` that would be written to one representation under one
 * name. Fields are compared across the inline fragments of a level too: that may split more than needed,
 * never less.
 */
function conflictsIn(selections: readonly QueryPlanSelectionNode[], requirements: RequirementFields) {
  const conflicts = new Map<string, Set<string>>();
  const level = (selections: readonly QueryPlanSelectionNode[]) => {
    const byWrittenName = new Map<string, Set<string>>();
    const walk = (inner: readonly QueryPlanSelectionNode[]) => {
      for (const selection of inner) {
        if (selection.kind === 'InlineFragment') {
          walk(selection.selections);
          continue;
        }
        const read = selection.alias ?? selection.name;
        const written = requirements.fields.get(selection.name)?.name ?? selection.name;
        byWrittenName.set(written, (byWrittenName.get(written) ?? new Set()).add(read));
        if (selection.selections) level(selection.selections);
      }
    };
    walk(selections);
    for (const reads of byWrittenName.values())
      for (const read of reads)
        for (const other of reads) if (other !== read) conflicts.set(read, (conflicts.get(read) ?? new Set()).add(other));
  };
  level(selections);
  return conflicts;
}

/**
 * The fields selected on each entity of an `_entities` fetch, with the type they are selected on; none
 * when the operation has named fragments (the planner makes none unless configured to).
 */
function entityFieldsOf(document: DocumentNode): Array<{ field: FieldNode; type: string }> | undefined {
  if (document.definitions.some((definition) => definition.kind !== Kind.OPERATION_DEFINITION)) return undefined;
  let entities: SelectionSetNode | undefined;
  visit(document, {
    Field(field) {
      if (field.name.value !== '_entities') return undefined;
      entities = field.selectionSet;
      return BREAK;
    },
  });
  if (!entities) return undefined;
  const found: Array<{ field: FieldNode; type: string }> = [];
  const walk = (selectionSet: SelectionSetNode, type: string | undefined): boolean =>
    selectionSet.selections.every((selection) => {
      if (selection.kind === Kind.INLINE_FRAGMENT)
        return walk(selection.selectionSet, selection.typeCondition?.name.value ?? type);
      if (selection.kind !== Kind.FIELD) return false;
      if (selection.name.value === '__typename') return true;
      if (type) found.push({ field: selection, type });
      return !!type;
    });
  return walk(entities, undefined) ? found : undefined;
}

/** The fetch for one group: its entity fields, the representation parts they need, the variables they use. */
function fetchOfGroup(
  fetch: FetchNode,
  document: DocumentNode,
  fields: ReadonlySet<FieldNode>,
  needs: ReadonlySet<string>,
  requirements: RequirementFields,
): FetchNode {
  // fields entered so far: `_entities` is the first, the entity fields the second level
  let depth = 0;
  const trimmed = visit(document, {
    Field: {
      enter(field) {
        if (depth === 1 && field.name.value !== '__typename' && !fields.has(field)) return null;
        depth++;
        return undefined;
      },
      leave() {
        depth--;
      },
    },
    InlineFragment: { leave: (fragment) => (fragment.selectionSet.selections.length === 0 ? null : undefined) },
  });
  // a variable only the other groups' fields use must not be declared: subgraphs reject unused variables
  const used = new Set<string>();
  visit(trimmed, {
    VariableDefinition: () => false,
    Variable: (variable) => void used.add(variable.name.value),
  });
  const operation = visit(trimmed, {
    VariableDefinition: (definition) => (used.has(definition.variable.name.value) ? undefined : null),
  });
  return {
    ...fetch,
    operation: stripIgnoredCharacters(print(operation)),
    operationDocumentNode: fetch.operationDocumentNode && operation,
    variableUsages: fetch.variableUsages?.filter((name) => used.has(name)),
    requires: requiresOfGroup(fetch.requires!, needs, requirements),
  };
}

/** `requires` without the requirement fields the group does not need (keys and other fields stay). */
function requiresOfGroup(
  selections: readonly QueryPlanSelectionNode[],
  needs: ReadonlySet<string>,
  requirements: RequirementFields,
): QueryPlanSelectionNode[] {
  const kept: QueryPlanSelectionNode[] = [];
  for (const selection of selections) {
    if (selection.kind === 'Field' && requirements.fields.has(selection.name) && !needs.has(selection.name)) continue;
    const inner = selection.selections && requiresOfGroup(selection.selections, needs, requirements);
    if (inner && inner.length === 0) continue;
    kept.push(selection.kind === 'Field' ? { ...selection, selections: inner } : { ...selection, selections: inner! });
  }
  return kept;
}
