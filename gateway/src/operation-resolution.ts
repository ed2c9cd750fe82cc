import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { getOperationAST, GraphQLError, Kind, type DocumentNode } from 'graphql';

/** Apollo Server's own code for a document whose operation cannot be chosen. */
export const OPERATION_RESOLUTION_FAILURE = 'OPERATION_RESOLUTION_FAILURE';

/**
 * Why no operation of a valid document can run with this operationName, as graphql-js says it:
 * an unknown name, or several operations and no name. Undefined when one is found.
 */
export function operationResolutionError(document: DocumentNode, operationName?: string | null): GraphQLError | undefined {
  if (getOperationAST(document, operationName)) return undefined;
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  const message = operationName
    ? `Unknown operation named "${operationName.slice(0, 100)}".`
    : operations > 1
      ? 'Must provide operation name if query contains multiple operations.'
      : 'Must provide an operation.';
  return new GraphQLError(message, { extensions: { code: OPERATION_RESOLUTION_FAILURE } });
}

/**
 * A client mistake in choosing the operation is HTTP 400 with OPERATION_RESOLUTION_FAILURE, answered
 * before the executor, which needs one operation to plan (Apollo Server would hand it none).
 */
export function operationResolutionPlugin<TContext extends BaseContext = BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (operation) return;
          const error = operationResolutionError(document, request.operationName);
          if (error) throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
        },
      };
    },
  };
}
