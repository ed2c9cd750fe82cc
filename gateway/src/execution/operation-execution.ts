import { GraphQLError } from 'graphql';
import type { DeferNode } from '@apollo/query-planner';
import { EntityBatcher, type SendToSubgraph } from './entity-batcher';
import type { PreparedOperation } from './prepared-operation';
import { runPlanNode, type PlanRun } from './plan-runner';
import type { LoadedSupergraph } from './query-executor';
import { shapeDeferred, shapeResponse, type DeferredPart } from './result-shaper';

type Path = readonly (string | number)[];

export interface ExecutionOutcome {
  data: Record<string, unknown> | null;
  errors?: GraphQLError[];
}

/** A payload after the initial one (the incremental delivery format Apollo Router and Hive Gateway send). */
export interface SubsequentPayload {
  hasNext: boolean;
  incremental?: Array<DeferredPart & { errors?: GraphQLError[] }>;
}

/** Where the executor leaves the payloads that follow the initial one, for the transport to send. */
export interface IncrementalDelivery {
  later?: AsyncIterable<SubsequentPayload>;
}

/**
 * How long ready entity fetches may wait for another answer of the same request, to go out merged
 * with what that answer leads to (see EntityBatcher); measured with bench/src/gateways.
 */
const ENTITY_BATCH_WAIT_MS = Number(process.env.EVENTGRAPH_BATCH_WAIT_MS ?? 5);

function startRun(
  supergraph: LoadedSupergraph,
  variables: Record<string, unknown>,
  send: SendToSubgraph,
  answered?: PlanRun['answered'],
): PlanRun {
  const batcher = new EntityBatcher(send, ENTITY_BATCH_WAIT_MS);
  return { data: {}, errors: [], variables, matches: supergraph.matches, send: batcher.send, batcher, answered };
}

/** Runs a prepared operation's plan and shapes the result (queries, mutations and subscription events). */
export async function executePrepared(
  supergraph: LoadedSupergraph,
  operation: PreparedOperation,
  variables: Record<string, unknown>,
  send: SendToSubgraph,
  answered?: PlanRun['answered'],
): Promise<ExecutionOutcome> {
  const run = startRun(supergraph, variables, send, answered);
  const node = operation.plan.node;
  if (node && node.kind !== 'Subscription') await runPlanNode(run, node);
  return shaped(operation, run, inClientTerms(operation, run.errors), false);
}

/**
 * Runs the primary part of a Defer plan and answers with the initial payload; the deferred parts are
 * fetched at once, in parallel, and left in `delivery.later` as the payload that completes the response.
 */
export async function executeIncrementally(
  supergraph: LoadedSupergraph,
  operation: PreparedOperation,
  node: DeferNode,
  variables: Record<string, unknown>,
  send: SendToSubgraph,
  delivery: IncrementalDelivery,
): Promise<ExecutionOutcome & { hasNext: true }> {
  const run = startRun(supergraph, variables, send);
  if (node.primary.node) await runPlanNode(run, node.primary.node);
  const initial = shaped(operation, run, inClientTerms(operation, run.errors), true);
  const primaryErrors = run.errors.length;
  const deferredDone = Promise.all(node.deferred.map((deferred) => deferred.node && runPlanNode(run, deferred.node)));
  deferredDone.catch(() => {}); // awaited by the transport; a client that left must not leave it unhandled
  delivery.later = (async function* () {
    await deferredDone;
    const errors = inClientTerms(operation, run.errors.slice(primaryErrors));
    const shapingErrors: GraphQLError[] = [];
    const parts = shapeDeferred(
      operation.shape,
      operation.rootTypeName,
      run.data,
      shapingRun(operation, run, errors, shapingErrors, true),
    );
    yield { hasNext: false, incremental: withErrors(parts, [...errors, ...shapingErrors]) };
  })();
  return { ...initial, hasNext: true };
}

function shaped(
  operation: PreparedOperation,
  run: PlanRun,
  fetchErrors: readonly GraphQLError[],
  deferring: boolean,
): ExecutionOutcome {
  const shapingErrors: GraphQLError[] = [];
  const data = shapeResponse(
    operation.shape,
    operation.rootTypeName,
    run.data,
    shapingRun(operation, run, fetchErrors, shapingErrors, deferring),
  );
  const errors = [...fetchErrors, ...shapingErrors];
  return errors.length ? { data, errors } : { data };
}

function shapingRun(
  operation: PreparedOperation,
  run: PlanRun,
  fetchErrors: readonly GraphQLError[],
  errors: GraphQLError[],
  deferring: boolean,
) {
  const introspection = operation.introspect?.(run.variables as Record<string, unknown>);
  const fetchErrorPaths = fetchErrors.map((e) => e.path).filter((p): p is Path => !!p);
  // a fetch error with no path (a root fetch that failed) explains every null
  const unplaced = fetchErrorPaths.length < fetchErrors.length;
  return {
    variables: run.variables,
    errors,
    deferring,
    introspect: (responseName: string) => introspection?.[responseName] ?? null,
    explained: (path: Path) =>
      unplaced || fetchErrorPaths.some((errorPath) => startsWith(errorPath, path) || startsWith(path, errorPath)),
  };
}

/** Fetch errors with the paths the client knows (its own field names instead of the gateway's aliases). */
function inClientTerms(operation: PreparedOperation, errors: readonly GraphQLError[]): GraphQLError[] {
  if (operation.clientNames.size === 0) return [...errors];
  return errors.map((error) =>
    error.path
      ? new GraphQLError(error.message, {
          path: error.path.map((step) => (typeof step === 'string' ? (operation.clientNames.get(step) ?? step) : step)),
          extensions: error.extensions,
        })
      : error,
  );
}

/** Each error goes with the part whose path it falls under (the first part when none does). */
function withErrors(parts: DeferredPart[], errors: readonly GraphQLError[]): SubsequentPayload['incremental'] {
  const withTheirErrors = parts.map((part) => ({ ...part, errors: [] as GraphQLError[] }));
  // nothing left to deliver but errors: they still reach the client, at the root
  if (withTheirErrors.length === 0 && errors.length > 0) withTheirErrors.push({ path: [], data: {}, errors: [] });
  for (const error of errors) {
    const owner = withTheirErrors.find((part) => error.path && startsWith(error.path, part.path)) ?? withTheirErrors[0];
    owner?.errors.push(error);
  }
  return withTheirErrors.map(({ errors: own, ...part }) => (own.length ? { ...part, errors: own } : part));
}

const startsWith = (path: Path, prefix: Path) => prefix.length <= path.length && prefix.every((step, i) => path[i] === step);
