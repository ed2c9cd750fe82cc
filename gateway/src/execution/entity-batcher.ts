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
 * Entity fetches of one request go to each subgraph as one merged operation when they are ready
 * together: fewer round trips, fewer requests for subgraphs to parse and answer, fewer writes. While
 * another fetch of the request is in flight, ready fetches wait for its answer (at most `maxWaitMs`),
 * since the branch it continues usually needs the same subgraphs next: parallel branches then move
 * level by level, and each level costs one request per subgraph. Each fetch still gets its own
 * answer, shaped as if it had been sent alone.
 */
export class EntityBatcher {
  private pending = new Map<string, EntityFetch[]>();
  private scheduled = false;
  private inFlight = 0;
  private waitingSince = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly transport: SendToSubgraph,
    private readonly maxWaitMs: number,
  ) {}

  /** Sends at once (root fetches), counted as in flight so that ready entity fetches may wait for it. */
  readonly send: SendToSubgraph = (serviceName, request) => {
    this.inFlight++;
    const answered = () => {
      this.inFlight--;
      this.schedule();
    };
    const sent = this.transport(serviceName, request);
    sent.then(answered, answered);
    return sent;
  };

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
      if (this.waitingSince === 0) this.waitingSince = performance.now();
      this.schedule();
    });
  }

  /** Looks again once the current turn's answers have been merged (they may add fetches). */
  private schedule(): void {
    if (this.scheduled || this.pending.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushOrWait();
    });
  }

  private flushOrWait(): void {
    if (this.pending.size === 0) return;
    const waited = performance.now() - this.waitingSince;
    if (this.inFlight > 0 && waited < this.maxWaitMs) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.maxWaitMs - waited);
      return;
    }
    this.flush();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waitingSince = 0;
    const batches = this.pending;
    this.pending = new Map();
    if (batches.size === 0) return;
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
