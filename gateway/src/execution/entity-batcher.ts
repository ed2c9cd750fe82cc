import type { GraphQLFormattedError } from 'graphql';
import type { FetchNode } from '@apollo/query-planner';
import { entitiesAlias, mergedEntitiesOperation, representationsVariable } from './merged-operation';

/** A subgraph's GraphQL answer. */
export interface SubgraphAnswer {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface SubgraphRequest {
  query: string;
  operationName?: string;
  variables: Record<string, unknown>;
}

/** Sends one request to a subgraph; rejects when no GraphQL answer came back (network, timeout, HTTP error). */
export type SendToSubgraph = (serviceName: string, request: SubgraphRequest) => Promise<SubgraphAnswer>;

interface EntityFetch {
  fetch: FetchNode;
  variables: Record<string, unknown>;
  representations: readonly unknown[];
  resolve(answer: SubgraphAnswer): void;
  reject(err: unknown): void;
}

/**
 * Entity fetches of one request that become ready together (the branches of a Parallel node, or
 * answers arriving in the same turn of the event loop) go to each subgraph as one merged operation:
 * fewer round trips, fewer requests for the subgraph to parse, plan and answer. Each fetch still
 * gets its own answer, shaped as if it had been sent alone.
 */
export class EntityBatcher {
  private pending = new Map<string, EntityFetch[]>();
  private scheduled = false;

  constructor(private readonly send: SendToSubgraph) {}

  fetchEntities(
    fetch: FetchNode,
    variables: Record<string, unknown>,
    representations: readonly unknown[],
  ): Promise<SubgraphAnswer> {
    return new Promise((resolve, reject) => {
      const queue = this.pending.get(fetch.serviceName);
      const entry = { fetch, variables, representations, resolve, reject };
      if (queue) queue.push(entry);
      else this.pending.set(fetch.serviceName, [entry]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batches = this.pending;
    this.pending = new Map();
    for (const [serviceName, fetches] of batches) {
      if (fetches.length === 1) {
        const [{ fetch, variables, representations, resolve, reject }] = fetches as [EntityFetch];
        const request = {
          query: fetch.operation,
          operationName: fetch.operationName,
          variables: { ...variables, representations },
        };
        this.send(serviceName, request).then(resolve, reject);
        continue;
      }
      const variables: Record<string, unknown> = {};
      fetches.forEach((one, index) => {
        Object.assign(variables, one.variables);
        variables[representationsVariable(index)] = one.representations;
      });
      const operation = mergedEntitiesOperation(fetches.map((one) => one.fetch));
      this.send(serviceName, { ...operation, variables }).then(
        (answer) => fetches.forEach((one, index) => one.resolve(answerFor(answer, index))),
        (err: unknown) => fetches.forEach((one) => one.reject(err)),
      );
    }
  }
}

const MERGED_ALIAS = /^_\d+$/;

/** Fetch `index`'s part of a merged answer, with its data and error paths under `_entities` again. */
function answerFor(answer: SubgraphAnswer, index: number): SubgraphAnswer {
  const alias = entitiesAlias(index);
  const errors = answer.errors?.flatMap((error) => {
    if (error.path?.[0] === alias) return [{ ...error, path: ['_entities', ...error.path.slice(1)] }];
    // an error about the whole request (or no fetch's part) is reported once, with the first fetch
    const owned = typeof error.path?.[0] === 'string' && MERGED_ALIAS.test(error.path[0]);
    return !owned && index === 0 ? [error] : [];
  });
  return {
    data: answer.data ? { _entities: answer.data[alias] } : answer.data,
    ...(errors?.length ? { errors } : {}),
  };
}
