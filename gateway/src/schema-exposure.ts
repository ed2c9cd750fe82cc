import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, visit, type DocumentNode } from 'graphql';
import type { Principal } from '@eventgraph/runtime';

/**
 * Who may explore the schema: introspection (`__schema`, `__type`) and the "Did you mean …?" hints in
 * validation errors. `on`: everyone; `members`: signed-in users and platform services, not anonymous callers,
 * API keys or devices; `off`: platform services only. Production defaults to `members`, development to `on`.
 */
export const INTROSPECTION_POLICIES = ['on', 'members', 'off'] as const;
export type IntrospectionPolicy = (typeof INTROSPECTION_POLICIES)[number];

export const INTROSPECTION_DISABLED = 'INTROSPECTION_DISABLED';

export function mayExploreSchema(policy: IntrospectionPolicy, principal: Principal): boolean {
  if (principal.kind === 'service' || policy === 'on') return true;
  return policy === 'members' && principal.kind === 'user';
}

/** True when the document asks for the schema itself (`__typename` is data, not introspection). */
export function introspects(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
  });
  return found;
}

export const introspectionDisabled = () =>
  new GraphQLError('introspection is not available to this caller; use the published schema (sdk/src/generated/schema.graphql)', {
    extensions: { code: INTROSPECTION_DISABLED, http: { status: 403 } },
  });

/** Drops graphql-js's field-name hints, as Apollo's own DisableSuggestions plugin does, for one message. */
export const withoutSuggestions = (message: string) => message.replace(/ ?Did you mean(.+?)\?$/, '');

/** Enforces the policy for each request, by its caller: refuses introspection and removes name hints. */
export function schemaExposurePlugin<C extends { principal: Principal }>(policy: IntrospectionPolicy): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      if (mayExploreSchema(policy, contextValue.principal)) return;
      return {
        async validationDidStart() {
          return async (errors) => {
            for (const error of errors ?? []) error.message = withoutSuggestions(error.message);
          };
        },
        async didResolveOperation({ document }) {
          if (introspects(document)) throw introspectionDisabled();
        },
      };
    },
  };
}
