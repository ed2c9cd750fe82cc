import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { PrincipalKind } from '@eventgraph/runtime';
import { checkOperationLimits, limitsForCaller, resolveLimits, type OperationLimits } from './operation-limits';
import { parseWithLimits } from './tokens';

export interface OperationRequest {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

export type CheckedOperation = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: GraphQLError[] };

/**
 * For graphql-ws's onSubscribe, which parses documents outside Apollo Server:
 * parses with the token limit and checks the other limits before the document
 * is validated or planned. The errors are coded and can be returned from
 * onSubscribe as they are (the socket stays open, only this operation fails).
 */
export function parseAndCheckOperation(
  schema: GraphQLSchema,
  request: OperationRequest,
  limits: Partial<OperationLimits> = {},
  /** the caller's kind, for its own limits (default: the limits for everyone) */
  kind?: PrincipalKind,
): CheckedOperation {
  const resolved = limitsForCaller(resolveLimits(limits), kind);
  let document: DocumentNode;
  try {
    document = parseWithLimits(request.query, resolved);
  } catch (err) {
    if (err instanceof GraphQLError) return { errors: [err] };
    throw err;
  }
  const errors = checkOperationLimits(schema, document, request.operationName, request.variables, resolved);
  return errors.length ? { errors } : { document };
}
