import { Kind, parse, print, stripIgnoredCharacters, visit } from 'graphql';
import type {
  FetchDataRewrite,
  FetchNode,
  PlanNode,
  QueryPlan,
  QueryPlanSelectionNode,
  SubscriptionNode,
} from '@apollo/query-planner';
import { REQUIREMENT_FIELD_PREFIX, type RequirementFields } from './requirement-fields';
import { splitByRequirements } from './requirement-split';

/**
 * Turns the supergraph's synthetic requirement fields (requirement-fields.ts) back into the fields and
 * arguments they stand for, once per planned operation: in each fetch's operation
 * `_egreq0_comments { body }` becomes `_egreq0_comments: comments(limit: 1) { body }` (the fetched value
 * keeps the synthetic name as its response name), and in each `requires` selection the field is read
 * under the synthetic name and written to the representation under `comments`, the name the requiring
 * subgraph knows. An entity fetch that needs two values of one field (`summary` needs
 * `comments(limit: 1)`, `digest` `comments(limit: 2)`) is split first: one representation cannot carry both.
 */
export function withRequirementFieldsResolved(plan: QueryPlan, requirements: RequirementFields): QueryPlan {
  if (requirements.fields.size === 0 || !plan.node) return plan;
  return { ...plan, node: resolveNode(plan.node, requirements) };
}

function resolveNode(node: PlanNode | SubscriptionNode, requirements: RequirementFields): PlanNode | SubscriptionNode {
  const resolve = (child: PlanNode) => resolveNode(child, requirements) as PlanNode;
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return { ...node, nodes: node.nodes.map(resolve) };
    case 'Flatten':
      return { ...node, node: resolve(node.node) };
    case 'Condition':
      return {
        ...node,
        ifClause: node.ifClause && resolve(node.ifClause),
        elseClause: node.elseClause && resolve(node.elseClause),
      };
    case 'Defer':
      return {
        ...node,
        primary: { ...node.primary, node: node.primary.node && resolve(node.primary.node) },
        deferred: node.deferred.map((deferred) => ({ ...deferred, node: deferred.node && resolve(deferred.node) })),
      };
    case 'Subscription':
      // the primary fetch is the subscription's root field: it has no representations to split
      return { ...node, primary: resolveFetch(node.primary, requirements), rest: node.rest && resolve(node.rest) };
    case 'Fetch': {
      if (!mentionsRequirementFields(node)) return node;
      const fetches = splitByRequirements(node, requirements).map((fetch) => resolveFetch(fetch, requirements));
      return fetches.length === 1 ? fetches[0]! : { kind: 'Parallel', nodes: fetches };
    }
  }
}

const mentionsRequirementFields = (fetch: FetchNode) =>
  fetch.operation.includes(REQUIREMENT_FIELD_PREFIX) || JSON.stringify(fetch.requires ?? []).includes(REQUIREMENT_FIELD_PREFIX);

function resolveFetch(fetch: FetchNode, requirements: RequirementFields): FetchNode {
  if (!mentionsRequirementFields(fetch)) return fetch;
  const document = visit(fetch.operationDocumentNode ?? parse(fetch.operation), {
    Field(field) {
      const real = requirements.fields.get(field.name.value);
      if (!real) return undefined;
      return {
        ...field,
        alias: field.alias ?? field.name,
        name: { kind: Kind.NAME, value: real.name },
        // arguments the planner gave the synthetic field itself (none expected) come after the requirement's
        arguments: [...real.arguments, ...(field.arguments ?? [])],
      };
    },
  });
  return {
    ...fetch,
    operation: stripIgnoredCharacters(print(document)),
    operationDocumentNode: fetch.operationDocumentNode && document,
    requires: fetch.requires && requiresInRealNames(fetch.requires, requirements),
    inputRewrites: fetch.inputRewrites && rewritesInRealNames(fetch.inputRewrites, requirements),
  };
}

/** The representation is written under the real field names, read from the fetched data under the synthetic ones. */
function requiresInRealNames(
  selections: readonly QueryPlanSelectionNode[],
  requirements: RequirementFields,
): QueryPlanSelectionNode[] {
  return selections.map((selection) => {
    const inner = selection.selections && requiresInRealNames(selection.selections, requirements);
    if (selection.kind === 'InlineFragment') return { ...selection, selections: inner! };
    const real = requirements.fields.get(selection.name);
    if (!real) return { ...selection, selections: inner };
    return { ...selection, name: real.name, alias: selection.alias ?? selection.name, selections: inner };
  });
}

/** Input rewrites apply to the representation, which carries the real names. */
function rewritesInRealNames(rewrites: readonly FetchDataRewrite[], requirements: RequirementFields): FetchDataRewrite[] {
  const real = (name: string) => requirements.fields.get(name)?.name ?? name;
  return rewrites.map((rewrite) => ({
    ...rewrite,
    path: rewrite.path.map(real),
    ...(rewrite.kind === 'KeyRenamer' ? { renameKeyTo: real(rewrite.renameKeyTo) } : {}),
  }));
}
