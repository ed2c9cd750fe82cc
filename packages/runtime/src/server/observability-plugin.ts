import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { getOperationAST } from 'graphql';
import type { GraphQLRequestMetrics } from '../metrics/graphql-requests';
import { nameGraphQLSpan } from '../telemetry';
import type { Principal } from '../principal';

/** Records each GraphQL request's outcome in the service's metrics and names its server span after the operation (subgraphs and the gateway). */
export function observabilityPlugin<C extends BaseContext & { principal: Principal }>(
  metrics: GraphQLRequestMetrics | undefined,
): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      let operationType: string | undefined;
      let operationName: string | undefined;
      return {
        async didResolveOperation({ operation, operationName: name }) {
          operationType = operation?.operation;
          operationName = name ?? undefined;
          nameGraphQLSpan(operationType, operationName);
        },
        async willSendResponse({ response, document, request }) {
          if (!metrics) return;
          // a document that parsed but failed validation still names its operation
          operationName ??= (document && getOperationAST(document, request.operationName)?.name?.value) ?? undefined;
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
          metrics.record({
            caller: contextValue.principal.kind,
            operationName,
            operationType,
            durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
            errorCodes: (errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')),
          });
        },
      };
    },
  };
}
