import type { ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

/** What the info line logged when a request finishes says besides its path, status and duration. */
export interface RequestLogFields {
  operationName?: string;
  callerKind?: string;
}

const fieldsOf = new WeakMap<ServerResponse, RequestLogFields>();

/** The log fields of a request, filled in as it is served (caller kind after authentication, operation by Apollo). */
export function requestLogFields(res: ServerResponse): RequestLogFields {
  let fields = fieldsOf.get(res);
  if (!fields) fieldsOf.set(res, (fields = {}));
  return fields;
}

/** Names the operation in the request's log line once Apollo Server has resolved it. */
export function requestLogPlugin<C extends BaseContext & { requestLog?: RequestLogFields }>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operationName }) {
          if (contextValue.requestLog) contextValue.requestLog.operationName = operationName ?? '(anonymous)';
        },
      };
    },
  };
}
