import { GraphQLError, type ExecutionResult } from 'graphql';

/** `extensions.code` values this module emits (Apollo Server / Router vocabulary where one exists). */
export const ErrorCode = {
  ParseFailed: 'GRAPHQL_PARSE_FAILED',
  ValidationFailed: 'GRAPHQL_VALIDATION_FAILED',
  BadUserInput: 'BAD_USER_INPUT',
  OperationResolutionFailure: 'OPERATION_RESOLUTION_FAILURE',
  QueryPlanningFailed: 'QUERY_PLANNING_FAILED',
  SubgraphUnavailable: 'SUBGRAPH_UNAVAILABLE',
  SubgraphTimeout: 'SUBGRAPH_TIMEOUT',
  UpstreamSubscriptionFailed: 'UPSTREAM_SUBSCRIPTION_FAILED',
  SubscriptionOverflow: 'SUBSCRIPTION_OVERFLOW',
  /** the close reason of a connection that left too much unread (close code 4413) */
  SlowSubscriber: 'SLOW_SUBSCRIBER',
  /** the caller lost a right while subscribed: subscribe again */
  PermissionsChanged: 'PERMISSIONS_CHANGED',
  SubrequestHttpError: 'SUBREQUEST_HTTP_ERROR',
  InvalidSubgraphResponse: 'INVALID_SUBGRAPH_RESPONSE',
  EntityNotResolved: 'ENTITY_NOT_RESOLVED',
  InternalServerError: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function codedError(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** Re-code errors (keeping locations/path) so every error a client sees carries an `extensions.code`. */
export function withCode(errors: readonly GraphQLError[], code: ErrorCode): GraphQLError[] {
  return errors.map(
    (e) =>
      new GraphQLError(e.message, {
        nodes: e.nodes,
        source: e.source,
        positions: e.positions,
        path: e.path,
        originalError: e.originalError ?? undefined,
        extensions: { ...e.extensions, code },
      }),
  );
}

export const errorResult = (...errors: GraphQLError[]): ExecutionResult => ({
  errors,
});

/** graphql-ws serializes errors with `toJSON()`, so anything that is not a GraphQLError must be wrapped. */
export function asGraphQLError(err: unknown): GraphQLError {
  if (err instanceof GraphQLError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new GraphQLError(message, {
    originalError: err instanceof Error ? err : undefined,
    extensions: { code: ErrorCode.InternalServerError },
  });
}
