import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { FetchNode, PlanNode, ResponsePath } from '@apollo/query-planner';
import { ErrorCode } from '../subscriptions/errors';
import { applyRewrites, mergeInto, representationKey, representationOf, type TypeMatcher } from './entity-data';
import type { EntityBatcher, SendToSubgraph, SubgraphAnswer } from './entity-batcher';
import { objectsAt, pathsOf } from './response-paths';

type Path = readonly (string | number)[];

/** One request's execution state: the data merged so far and the errors met. */
export interface PlanRun {
  readonly data: Record<string, unknown>;
  readonly errors: GraphQLError[];
  /** the client's variables, coerced (defaults applied) */
  readonly variables: Readonly<Record<string, unknown>>;
  readonly matches: TypeMatcher;
  readonly send: SendToSubgraph;
  readonly batcher: EntityBatcher;
  /** fetches already answered without the network (a subscription's event answers its primary fetch) */
  readonly answered?: ReadonlyMap<FetchNode, SubgraphAnswer>;
}

/** Why a subgraph gave no GraphQL answer, in words safe for clients. */
export class SubgraphRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Runs a plan node: fetches in order and in parallel as planned, each answer merged where it belongs. */
export async function runPlanNode(run: PlanRun, node: PlanNode, path: ResponsePath = []): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await runPlanNode(run, child, path);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => runPlanNode(run, child, path)));
      return;
    case 'Flatten':
      return runPlanNode(run, node.node, path.length ? [...path, ...node.path] : node.path);
    case 'Fetch':
      return runFetch(run, node, path);
    case 'Condition': {
      const branch = run.variables[node.condition] === true ? node.ifClause : node.elseClause;
      return branch && runPlanNode(run, branch, path);
    }
    case 'Defer':
      // everything in one response (the client takes no incremental delivery, or the Defer is nested)
      if (node.primary.node) await runPlanNode(run, node.primary.node, path);
      await Promise.all(node.deferred.map((deferred) => deferred.node && runPlanNode(run, deferred.node, path)));
      return;
  }
}

async function runFetch(run: PlanRun, fetch: FetchNode, path: ResponsePath): Promise<void> {
  const entities = path.length ? objectsAt(run.data, path) : [run.data];
  if (entities.length === 0) return;
  const variables: Record<string, unknown> = {};
  for (const name of fetch.variableUsages ?? []) if (run.variables[name] !== undefined) variables[name] = run.variables[name];
  if (fetch.requires) return runEntityFetch(run, fetch, path, entities, variables);

  const concretePath = (): Path => (path.length ? (pathsOf(run.data, path)[0] ?? []) : []);
  let answer: SubgraphAnswer;
  try {
    answer =
      run.answered?.get(fetch) ??
      (await run.send(fetch.serviceName, { query: fetch.operation, operationName: fetch.operationName, variables }));
  } catch (err) {
    run.errors.push(failure(fetch.serviceName, err, path.length ? concretePath() : undefined));
    return;
  }
  for (const error of answer.errors ?? [])
    run.errors.push(downstreamError(fetch.serviceName, error, error.path && [...concretePath(), ...error.path]));
  if (!answer.data) return;
  applyRewrites(fetch.outputRewrites, answer.data, run.matches);
  for (const entity of entities) mergeInto(entity as Record<string, unknown>, answer.data);
}

async function runEntityFetch(
  run: PlanRun,
  fetch: FetchNode,
  path: ResponsePath,
  entities: readonly object[],
  variables: Record<string, unknown>,
): Promise<void> {
  // equal representations are sent once: lists often name the same entity many times
  const representations: Record<string, unknown>[] = [];
  const representationOfEntity = new Int32Array(entities.length).fill(-1);
  const indexByKey = new Map<string, number>();
  for (let i = 0; i < entities.length; i++) {
    const representation = representationOf(entities[i]!, fetch.requires!, run.matches);
    if (!representation) continue;
    applyRewrites(fetch.inputRewrites, representation, run.matches);
    const key = representationKey(representation);
    let index = indexByKey.get(key);
    if (index === undefined) {
      index = representations.push(representation) - 1;
      indexByKey.set(key, index);
    }
    representationOfEntity[i] = index;
  }
  if (representations.length === 0) return;

  let entityPaths: readonly Path[] | undefined;
  const pathsOfRepresentation = (index: number): Path[] => {
    entityPaths ??= pathsOf(run.data, path);
    const found: Path[] = [];
    representationOfEntity.forEach((at, i) => at === index && entityPaths![i] && found.push(entityPaths![i]!));
    return found;
  };

  let answer: SubgraphAnswer;
  try {
    answer = run.answered?.get(fetch) ?? (await run.batcher.fetchEntities(fetch, variables, representations));
  } catch (err) {
    // only the fields this subgraph serves are lost: one error per affected entity
    for (let i = 0; i < representations.length; i++)
      for (const at of pathsOfRepresentation(i)) run.errors.push(failure(fetch.serviceName, err, at));
    return;
  }
  for (const error of answer.errors ?? []) {
    const [root, index, ...rest] = error.path ?? [];
    if (root === '_entities' && typeof index === 'number') {
      for (const at of pathsOfRepresentation(index)) run.errors.push(downstreamError(fetch.serviceName, error, [...at, ...rest]));
    } else run.errors.push(downstreamError(fetch.serviceName, error, undefined));
  }
  const received = answer.data?._entities;
  if (received === undefined || received === null) return;
  if (!Array.isArray(received) || received.length !== representations.length) {
    run.errors.push(
      new GraphQLError(`Subgraph "${fetch.serviceName}" answered a different number of entities than it was sent`, {
        extensions: { code: ErrorCode.InvalidSubgraphResponse, serviceName: fetch.serviceName },
      }),
    );
    return;
  }
  for (const item of received) if (item && typeof item === 'object') applyRewrites(fetch.outputRewrites, item, run.matches);
  for (let i = 0; i < entities.length; i++) {
    const at = representationOfEntity[i]!;
    const item = at === -1 ? undefined : (received[at] as Record<string, unknown> | null | undefined);
    if (item && typeof item === 'object') mergeInto(entities[i] as Record<string, unknown>, item);
  }
}

/** A subgraph's own error, moved to where it happened in the client's response. */
function downstreamError(serviceName: string, error: GraphQLFormattedError, path: Path | undefined): GraphQLError {
  return new GraphQLError(error.message || `Error while fetching subquery from service "${serviceName}"`, {
    path,
    extensions: { code: ErrorCode.InternalServerError, ...error.extensions, serviceName },
  });
}

/** No answer from a subgraph: what the client may know (the address and the cause stay in the log). */
function failure(serviceName: string, err: unknown, path: Path | undefined): GraphQLError {
  const known = err instanceof SubgraphRequestError;
  return new GraphQLError(known ? err.message : `Subgraph "${serviceName}" is unavailable`, {
    path,
    extensions: { code: known ? err.code : ErrorCode.SubgraphUnavailable, serviceName },
  });
}
