import {
  GraphQLError,
  getOperationAST,
  getVariableValues,
  print,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan, type SubscriptionNode } from '@apollo/query-planner';
import { buildOperationContext } from '@apollo/gateway';
import { ErrorCode, codedError, errorResult, withCode } from './errors';

/** A validated, planned client subscription operation (variables not yet applied); cached per document. */
export interface PlannedSubscription {
  /** identifies the client operation: same key ⇒ same plan and same result shaping */
  readonly key: string;
  readonly node: SubscriptionNode;
  /** `primary` followed by `rest`, as an ordinary plan the gateway's executor can run for each event */
  readonly perEventPlan: QueryPlan;
  readonly operationContext: OperationContext;
}

export interface PreparedSubscription {
  readonly planned: PlannedSubscription;
  /** coerced against the operation's variable definitions (defaults applied) */
  readonly variables: Record<string, unknown>;
}

type OperationContext = ReturnType<typeof buildOperationContext>;

const MAX_CACHED_PLANS = 500;

/** Owns the supergraph, its API schema and the query planner; validates, plans and caches subscriptions. */
export class OperationPlanner {
  readonly supergraphSchema: GraphQLSchema;
  readonly apiSchema: GraphQLSchema;
  /** the federation-internals flavour of the API schema, which `executeQueryPlan` needs for result shaping */
  readonly federatedApiSchema: Schema;
  readonly subgraphNames: readonly string[];
  private readonly planner: QueryPlanner;
  private readonly cache = new Map<string, PlannedSubscription | ExecutionResult>();

  constructor(supergraphSdl: string) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.federatedApiSchema = supergraph.apiSchema();
    this.apiSchema = this.federatedApiSchema.toGraphQLJSSchema();
    this.subgraphNames = supergraph.subgraphs().names();
    this.planner = new QueryPlanner(supergraph);
  }

  prepare(
    document: DocumentNode,
    rawVariables: Record<string, unknown> | undefined,
    operationName: string | undefined,
  ): PreparedSubscription | ExecutionResult {
    const planned = this.plan(document, operationName);
    if (!('node' in planned)) return planned;
    const coerced = getVariableValues(
      this.apiSchema,
      planned.operationContext.operation.variableDefinitions ?? [],
      rawVariables ?? {},
    );
    if (coerced.errors) return { errors: withCode(coerced.errors, ErrorCode.BadUserInput) };
    return { planned, variables: coerced.coerced };
  }

  /** Validation and planning depend only on the document, so both outcomes are cached. */
  private plan(document: DocumentNode, operationName: string | undefined): PlannedSubscription | ExecutionResult {
    const key = `${operationName ?? ''}\n${print(document)}`;
    let planned = this.cache.get(key);
    if (!planned) {
      planned = this.validateAndPlan(key, document, operationName);
      if (this.cache.size >= MAX_CACHED_PLANS) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, planned);
    }
    return planned;
  }

  private validateAndPlan(
    key: string,
    document: DocumentNode,
    operationName: string | undefined,
  ): PlannedSubscription | ExecutionResult {
    const validationErrors = validate(this.apiSchema, document);
    if (validationErrors.length > 0) return { errors: withCode(validationErrors, ErrorCode.ValidationFailed) };

    const operation = getOperationAST(document, operationName);
    if (!operation) {
      const message = operationName
        ? `Unknown operation named "${operationName}".`
        : 'Could not identify the operation to run: provide operationName.';
      return errorResult(codedError(message, ErrorCode.OperationResolutionFailure));
    }
    if (operation.operation !== 'subscription') {
      return errorResult(
        codedError(`Only subscription operations are accepted here, got a ${operation.operation}.`, ErrorCode.ValidationFailed),
      );
    }

    try {
      const queryPlan = this.planner.buildQueryPlan(
        operationFromDocument(this.federatedApiSchema, document, {
          operationName,
        }),
      );
      const node = queryPlan.node;
      if (node?.kind !== 'Subscription') throw new Error(`expected a Subscription plan node, got ${node?.kind ?? 'none'}`);
      return {
        key,
        node,
        perEventPlan: {
          kind: 'QueryPlan',
          node: node.rest ? { kind: 'Sequence', nodes: [node.primary, node.rest] } : node.primary,
        },
        operationContext: buildOperationContext({
          schema: this.apiSchema,
          operationDocument: document,
          operationName,
        }),
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return errorResult(
        err instanceof GraphQLError
          ? withCode([err], ErrorCode.ValidationFailed)[0]!
          : codedError(message, ErrorCode.QueryPlanningFailed),
      );
    }
  }
}
