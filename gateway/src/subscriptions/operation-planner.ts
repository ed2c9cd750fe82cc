import {
  GraphQLError,
  getOperationAST,
  getVariableValues,
  print,
  validate,
  type DocumentNode,
  type ExecutionResult,
} from 'graphql';
import type { SubscriptionNode } from '@apollo/query-planner';
import type { LoadedSupergraph } from '../execution';
import { prepareOperation, type PreparedOperation } from '../execution/prepared-operation';
import { ErrorCode, codedError, errorResult, withCode } from './errors';

/** A validated, planned client subscription operation (variables not yet applied); cached per document. */
export interface PlannedSubscription {
  /** identifies the client operation: same key ⇒ same plan and same result shaping */
  readonly key: string;
  readonly node: SubscriptionNode;
  /** runs for each event: `primary` (answered by the event) followed by `rest`, and the client's result shape */
  readonly perEvent: PreparedOperation;
}

export interface PreparedSubscription {
  readonly planned: PlannedSubscription;
  /** coerced against the operation's variable definitions (defaults applied) */
  readonly variables: Record<string, unknown>;
}

const MAX_CACHED_PLANS = 500;

/** Validates, plans and caches subscriptions against the gateway's supergraph. */
export class OperationPlanner {
  private readonly cache = new Map<string, PlannedSubscription | ExecutionResult>();

  constructor(readonly supergraph: LoadedSupergraph) {}

  get apiSchema() {
    return this.supergraph.apiSchema;
  }

  prepare(
    document: DocumentNode,
    rawVariables: Record<string, unknown> | undefined,
    operationName: string | undefined,
  ): PreparedSubscription | ExecutionResult {
    const planned = this.plan(document, operationName);
    if (!('node' in planned)) return planned;
    const coerced = getVariableValues(this.apiSchema, planned.perEvent.operation.variableDefinitions ?? [], rawVariables ?? {});
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

    const prepared = prepareOperation(this.supergraph, document, operation);
    if (prepared instanceof GraphQLError) return errorResult(prepared);
    const node = prepared.plan.node;
    if (node?.kind !== 'Subscription')
      return errorResult(
        codedError(`expected a Subscription plan node, got ${node?.kind ?? 'none'}`, ErrorCode.QueryPlanningFailed),
      );
    return {
      key,
      node,
      perEvent: {
        ...prepared,
        plan: { kind: 'QueryPlan', node: node.rest ? { kind: 'Sequence', nodes: [node.primary, node.rest] } : node.primary },
      },
    };
  }
}
