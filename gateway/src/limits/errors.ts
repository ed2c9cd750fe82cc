import { GraphQLError, type ASTNode, type Source } from 'graphql';

/** `extensions.code` values for documents refused by the operation limits. */
export const LimitErrorCode = {
  TooManyTokens: 'TOO_MANY_TOKENS',
  OperationTooDeep: 'OPERATION_TOO_DEEP',
  TooManyAliases: 'TOO_MANY_ALIASES',
  TooManyDirectives: 'TOO_MANY_DIRECTIVES',
  OperationTooCostly: 'OPERATION_TOO_COSTLY',
  /** the document is not valid GraphQL syntax (same code Apollo Server uses) */
  ParseFailed: 'GRAPHQL_PARSE_FAILED',
} as const;
export type LimitErrorCode = (typeof LimitErrorCode)[keyof typeof LimitErrorCode];

export interface LimitErrorOptions {
  nodes?: ASTNode | readonly ASTNode[];
  source?: Source;
  positions?: readonly number[];
  originalError?: Error;
}

export function limitError(
  message: string,
  code: LimitErrorCode,
  extensions: Record<string, unknown> = {},
  options: LimitErrorOptions = {},
): GraphQLError {
  return new GraphQLError(message, { ...options, extensions: { ...extensions, code } });
}

/**
 * The same error with `extensions.http` set, which Apollo Server turns into the
 * response status and then strips; only for errors thrown inside Apollo, since
 * graphql-ws would send the field to the client as is.
 */
export function withHttpStatus(error: GraphQLError, status: number): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: { ...error.extensions, http: { status } },
  });
}
