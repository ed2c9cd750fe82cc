import {
  getOperationAST,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { PrincipalKind } from '@eventgraph/runtime';
import { cachedCost } from './cost-cache';
import type { CostDirectives } from './cost-directives';
import type { CallerLimits } from './limits-config';
import { LimitErrorCode, limitError } from './errors';
import { countDirectives, fragmentsByName, measureOperation } from './operation-shape';

export interface OperationLimits {
  /** lexical tokens in the document, enforced while parsing */
  maxTokens: number;
  /** field nesting with fragments expanded, introspection included */
  maxDepth: number;
  /** aliased fields with fragments expanded */
  maxAliases: number;
  /** directives written in the document */
  maxDirectives: number;
  /** static cost estimate, see analyzeCost */
  maxCost: number;
  /** list size assumed by the cost estimate for a list field with no @listSize that gives none */
  defaultListSize: number;
  /** arguments taken as the size of a list field with no @listSize */
  listSizeArguments: readonly string[];
  /** the supergraph's @cost/@listSize (readCostDirectives); none: only the rules above */
  costDirectives?: CostDirectives;
  /** limits of a kind of caller over the ones above */
  byCaller: Readonly<Partial<Record<PrincipalKind, CallerLimits>>>;
}

export const DEFAULT_LIMITS: Readonly<OperationLimits> = Object.freeze({
  maxTokens: 2_000,
  maxDepth: 12,
  maxAliases: 30,
  maxDirectives: 50,
  maxCost: 5_000,
  defaultListSize: 20,
  listSizeArguments: Object.freeze(['first', 'last', 'limit']),
  byCaller: Object.freeze({}),
});

export const resolveLimits = (limits: Partial<OperationLimits> = {}): OperationLimits => ({
  ...DEFAULT_LIMITS,
  ...limits,
  byCaller: { ...DEFAULT_LIMITS.byCaller, ...limits.byCaller },
});

const byKind = new WeakMap<OperationLimits, Map<PrincipalKind, OperationLimits>>();

/** The limits of one kind of caller: its own over the defaults (made once per kind and limits). */
export function limitsForCaller(limits: OperationLimits, kind: PrincipalKind | undefined): OperationLimits {
  const own = kind && limits.byCaller[kind];
  if (!own) return limits;
  let known = byKind.get(limits);
  if (!known) byKind.set(limits, (known = new Map()));
  let resolved = known.get(kind);
  if (!resolved) known.set(kind, (resolved = { ...limits, ...own }));
  return resolved;
}

/**
 * Checks one operation of a parsed document against the limits; every limit
 * exceeded gives one coded error. Safe on documents that were not validated
 * (unknown fields, fragment cycles): the walkers never loop and never expand a
 * fragment more than once. An operation that cannot be found is left to
 * validation/execution to report.
 */
export function checkOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  limits: Partial<OperationLimits> = {},
): GraphQLError[] {
  const operation = getOperationAST(document, operationName);
  return operation ? checkResolvedOperation(schema, document, operation, variables, resolveLimits(limits)) : [];
}

/** Fragment bombs can push counts past what JSON carries exactly (or to Infinity, which it cannot). */
const shown = (n: number) => Math.min(n, Number.MAX_SAFE_INTEGER);

export function checkResolvedOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
  limits: OperationLimits,
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const shape = shapeOf(document, operation);
  if (shape.introspectionOnly) return errors;
  const { depth, aliases, directives, fragments } = shape;
  if (depth > limits.maxDepth) {
    errors.push(
      limitError(
        `The operation is ${depth} levels deep, above the limit of ${limits.maxDepth}`,
        LimitErrorCode.OperationTooDeep,
        {
          depth,
          limit: limits.maxDepth,
        },
      ),
    );
  }
  if (aliases > limits.maxAliases) {
    errors.push(
      limitError(
        `The operation uses ${aliases} aliases, above the limit of ${limits.maxAliases}`,
        LimitErrorCode.TooManyAliases,
        {
          aliases,
          limit: limits.maxAliases,
        },
      ),
    );
  }
  if (directives > limits.maxDirectives) {
    errors.push(
      limitError(
        `The document uses ${directives} directives, above the limit of ${limits.maxDirectives}`,
        LimitErrorCode.TooManyDirectives,
        {
          directives,
          limit: limits.maxDirectives,
        },
      ),
    );
  }
  const estimate = cachedCost(schema, document, operation, fragments, variables ?? undefined, limits);
  const cost = shown(estimate.cost);
  if (estimate.missingSlicingArgument) {
    const field = estimate.missingSlicingArgument;
    errors.push(
      limitError(
        `${field} needs exactly one of its size arguments (${limits.costDirectives?.listSizes.get(field)?.slicingArguments?.join(', ')})`,
        LimitErrorCode.OperationTooCostly,
        { field, limit: limits.maxCost },
      ),
    );
  } else if (cost > limits.maxCost) {
    errors.push(
      limitError(
        `The operation's estimated cost ${cost} is above the limit of ${limits.maxCost}`,
        LimitErrorCode.OperationTooCostly,
        {
          cost,
          limit: limits.maxCost,
        },
      ),
    );
  }
  return errors;
}

interface OperationShape {
  introspectionOnly: boolean;
  depth: number;
  aliases: number;
  directives: number;
  fragments: Map<string, FragmentDefinitionNode>;
}

// Apollo Server keeps one parsed DocumentNode per query text, so an operation's shape is measured once
const shapes = new WeakMap<DocumentNode, Map<OperationDefinitionNode, OperationShape>>();

function shapeOf(document: DocumentNode, operation: OperationDefinitionNode): OperationShape {
  let byOperation = shapes.get(document);
  if (!byOperation) shapes.set(document, (byOperation = new Map()));
  let shape = byOperation.get(operation);
  if (!shape) {
    const fragments = fragmentsByName(document);
    // introspection reads the schema, not data: its size is bounded by the schema, and tools need
    // the standard query (15 levels of ofType) to work; Apollo Server decides whether it is allowed
    const introspectionOnly = isIntrospectionOnly(operation, fragments);
    const measured = introspectionOnly ? { depth: 0, aliases: 0 } : measureOperation(operation, fragments);
    shape = {
      introspectionOnly,
      depth: measured.depth,
      aliases: shown(measured.aliases),
      directives: introspectionOnly ? 0 : countDirectives(document),
      fragments,
    };
    byOperation.set(operation, shape);
  }
  return shape;
}

const INTROSPECTION_ROOTS = new Set(['__schema', '__type', '__typename']);

/** True when every root field (through fragments) is an introspection field. */
function isIntrospectionOnly(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): boolean {
  const seen = new Set<string>();
  const onlyIntrospection = (set: SelectionSetNode): boolean =>
    set.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return INTROSPECTION_ROOTS.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return onlyIntrospection(selection.selectionSet);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return false;
      seen.add(fragment.name.value);
      return onlyIntrospection(fragment.selectionSet);
    });
  return operation.operation === 'query' && onlyIntrospection(operation.selectionSet);
}
