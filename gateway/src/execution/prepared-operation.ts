import {
  GraphQLError,
  Kind,
  executeSync,
  print,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { QueryPlan, QueryPlanner } from '@apollo/query-planner';
import type { EngineLogger as Logger } from '../subscriptions/logger';
import { ErrorCode } from '../subscriptions/errors';
import type { RequirementFields } from './requirement-fields';
import { withRequirementFieldsResolved } from './requirement-plan';
import { compileShape, type Shape } from './shape-compiler';

/** Everything about a client operation that does not depend on its variables: planned and compiled once. */
export interface PreparedOperation {
  readonly operation: OperationDefinitionNode;
  readonly plan: QueryPlan;
  readonly shape: Shape;
  readonly rootTypeName: string;
  /** the client's response names of the fields the gateway aliased, by alias */
  readonly clientNames: ReadonlyMap<string, string>;
  /** answers the operation's root `__schema` / `__type` fields, if it has any */
  readonly introspect?: (variables: Record<string, unknown>) => Record<string, unknown>;
}

export interface OperationSchemas {
  /** the API schema clients see (graphql-js) */
  readonly apiSchema: GraphQLSchema;
  /** the same, as the planner reads it */
  readonly federatedApiSchema: Schema;
  readonly planner: QueryPlanner;
  /** the supergraph's synthetic requirement fields, resolved in every plan */
  readonly requirementFields: RequirementFields;
  readonly logger: Logger;
}

/**
 * Plans an operation Apollo Server has parsed and validated, and compiles its result shape. A
 * planner failure is a gateway bug or a broken supergraph: operators get the reason and the
 * operation in the log, clients a stable code.
 */
export function prepareOperation(
  schemas: OperationSchemas,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): PreparedOperation | GraphQLError {
  const operationName = operation.name?.value;
  const { aliased, clientNames } = withGatewayAliases(document);
  let plan: QueryPlan;
  try {
    plan = withRequirementFieldsResolved(
      schemas.planner.buildQueryPlan(operationFromDocument(schemas.federatedApiSchema, aliased, { operationName })),
      schemas.requirementFields,
    );
  } catch (err) {
    schemas.logger.error({ err, operation: print(operation) }, 'query planning failed');
    return new GraphQLError('The gateway could not plan this operation.', {
      // the gateway's fault, not the client's: HTTP 500 (Apollo Server reads `http` and drops it from the body)
      extensions: { code: ErrorCode.QueryPlanningFailed, http: { status: 500 } },
    });
  }
  const fragments: Record<string, FragmentDefinitionNode> = {};
  let aliasedOperation: OperationDefinitionNode | undefined;
  for (const definition of aliased.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    else if (definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === operationName)
      aliasedOperation ??= definition;
  }
  const rootType = schemas.apiSchema.getRootType(operation.operation);
  if (!rootType || !aliasedOperation)
    return new GraphQLError(`This schema has no ${operation.operation} type.`, {
      extensions: { code: ErrorCode.ValidationFailed },
    });
  return {
    operation,
    plan,
    shape: compileShape(schemas.apiSchema, rootType, aliasedOperation.selectionSet, fragments, clientNames),
    rootTypeName: rootType.name,
    clientNames,
    // introspection runs on the client's own document: its answer is not shaped, so no gateway alias may show
    introspect: introspectionOf(
      schemas.apiSchema,
      operation,
      document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION),
    ),
  };
}

/** Prefix of the aliases the gateway gives client fields (a client alias with it could collide: none is expected). */
const GATEWAY_ALIAS = '_eg';

/**
 * Every client field with an alias or arguments gets an alias of the gateway's own before planning.
 * The planner merges fields by response name and keeps one field's arguments, and the fetched data
 * has one namespace: a client's `comments(limit: $n)` would otherwise take the place of a `@requires`
 * of `comments(limit: 1)`, or an alias `id: sku` the place of the key `id`. The result shape maps the
 * gateway's aliases back to the client's names.
 */
function withGatewayAliases(document: DocumentNode): { aliased: DocumentNode; clientNames: Map<string, string> } {
  const clientNames = new Map<string, string>();
  const aliased = visit(document, {
    Field(field) {
      // introspection answers are not shaped, so they keep the client's names (and their subtree is left alone)
      if (INTROSPECTION_ROOT_FIELDS.has(field.name.value)) return false;
      if (!field.alias && !field.arguments?.length) return undefined;
      const alias = `${GATEWAY_ALIAS}${clientNames.size}_${field.alias?.value ?? field.name.value}`;
      clientNames.set(alias, field.alias?.value ?? field.name.value);
      return { ...field, alias: { kind: Kind.NAME, value: alias } };
    },
  });
  return { aliased, clientNames };
}

const INTROSPECTION_ROOT_FIELDS = new Set(['__schema', '__type']);

/** The operation's root introspection fields run by graphql-js against the API schema (the planner skips them). */
function introspectionOf(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: FragmentDefinitionNode[]) {
  const selections = operation.selectionSet.selections.filter(
    (selection) => selection.kind === Kind.FIELD && INTROSPECTION_ROOT_FIELDS.has(selection.name.value),
  );
  if (selections.length === 0) return undefined;
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [{ ...operation, selectionSet: { kind: Kind.SELECTION_SET, selections } }, ...fragments],
  };
  return (variables: Record<string, unknown>) => {
    const { data, errors } = executeSync({ schema, document, variableValues: variables });
    if (errors?.length) throw errors[0];
    return (data ?? {}) as Record<string, unknown>;
  };
}
