import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLError, ParseOptions } from 'graphql';
import { LimitErrorCode, withHttpStatus } from './errors';
import type { Principal } from '@eventgraph/runtime';
import { checkResolvedOperation, limitsForCaller, resolveLimits, type OperationLimits } from './operation-limits';
import { countTokens, tooManyTokensError } from './tokens';

const BAD_REQUEST = 400;

/**
 * Options for `new ApolloServer(...)`: Apollo parses the document itself, and
 * only its `parseOptions` can stop a parse partway, before the oversized
 * document also gets validated.
 */
export const limitsParseOptions = (limits: Partial<OperationLimits> = {}): ParseOptions => ({
  maxTokens: resolveLimits(limits).maxTokens,
});

/**
 * Refuses operations over the limits before execution, with HTTP 400 and the
 * limit's code; the caller's kind (`context.principal`) picks its own limits. Depth, aliases, directives and cost are checked once the
 * operation is resolved (after Apollo's parsing and validation, so the document
 * is known to be sound). Pair it with `limitsParseOptions` so the token limit is
 * enforced while parsing; this plugin then gives that parse error its
 * TOO_MANY_TOKENS code, and still refuses over-long documents if the parse
 * option was left out (only later, after validation).
 */
export function operationLimitsPlugin<TContext extends BaseContext = BaseContext>(
  limits: Partial<OperationLimits> = {},
): ApolloServerPlugin<TContext> {
  const resolved = resolveLimits(limits);
  const overTokenLimit = (source: string | undefined) =>
    source !== undefined && countTokens(source, resolved.maxTokens) > resolved.maxTokens;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, source, request, contextValue }) {
          if (overTokenLimit(source)) throw withHttpStatus(tooManyTokensError(resolved.maxTokens), BAD_REQUEST);
          if (!operation) return; // Apollo reports the unknown operation name itself
          // the gateway's context carries the authenticated caller; without one, the default limits
          const kind = (contextValue as { principal?: Principal }).principal?.kind;
          const limits = limitsForCaller(resolved, kind);
          const [first] = checkResolvedOperation(schema, document, operation, request.variables, limits);
          if (first) throw withHttpStatus(first, BAD_REQUEST); // Apollo sends one error thrown from this hook
        },
        async didEncounterErrors(requestContext) {
          // Apollo codes every parse failure GRAPHQL_PARSE_FAILED; the error list it hands
          // plugins here is the one it formats next, so a replaced entry is what the client gets.
          const errors = requestContext.errors as GraphQLError[];
          const index = errors.findIndex((e) => e.extensions.code === LimitErrorCode.ParseFailed);
          if (index >= 0 && overTokenLimit(requestContext.source)) {
            errors[index] = withHttpStatus(tooManyTokensError(resolved.maxTokens, errors[index]), BAD_REQUEST);
          }
        },
      };
    },
  };
}
