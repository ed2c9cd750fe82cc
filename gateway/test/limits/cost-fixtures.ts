import { buildSchema, getOperationAST, parse, type GraphQLSchema } from 'graphql';
import { analyzeCost, readCostDirectives, resolveLimits, type CostEstimate, type OperationLimits } from '../../src/limits';
import { fragmentsByName } from '../../src/limits/operation-shape';

/** A schema written as a supergraph writes the cost spec: linked, imported, applied to fields. */
export const costTypeDefs = /* GraphQL */ `
  schema @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@cost", "@listSize"]) {
    query: Query
  }
  directive @link(url: String, as: String, import: [String]) repeatable on SCHEMA
  directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
  directive @listSize(
    assumedSize: Int
    slicingArguments: [String!]
    sizedFields: [String!]
    requireOneSlicingArgument: Boolean = true
  ) on FIELD_DEFINITION

  type Query {
    events(first: Int = 10, after: String): EventConnection!
      @listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)
    strictEvents(first: Int, last: Int): EventConnection! @listSize(slicingArguments: ["first", "last"], sizedFields: ["edges"])
    gates: [Gate!]! @listSize(assumedSize: 4)
    search(text: String!): [SearchResult!]! @listSize(assumedSize: 10)
    unannotated: [Gate!]!
    report(detailed: Boolean @cost(weight: 50)): Report @cost(weight: 20)
    place: Place
  }
  interface Place {
    gates: [Gate!]! @listSize(assumedSize: 3)
  }
  type Hall implements Place {
    gates: [Gate!]!
  }
  type EventConnection {
    edges: [EventEdge!]!
    totalCount: Int!
  }
  type EventEdge {
    cursor: String!
    node: Event!
  }
  type Event {
    id: ID!
    title: String!
    gates: [Gate!]! @listSize(assumedSize: 4)
  }
  type Gate {
    id: ID!
    name: String!
  }
  type Report {
    id: ID!
  }
  union SearchResult = Event | Gate
`;

export const costSchema: GraphQLSchema = buildSchema(costTypeDefs);
export const costDirectives = readCostDirectives(costTypeDefs);

/** The estimate of `query`'s first operation against the cost fixture (or the given schema and limits). */
export function costOf(
  query: string,
  variables?: Record<string, unknown>,
  limits: Partial<OperationLimits> = { costDirectives },
  schema: GraphQLSchema = costSchema,
): CostEstimate {
  const document = parse(query);
  const operation = getOperationAST(document)!;
  return analyzeCost(schema, operation, fragmentsByName(document), variables, resolveLimits(limits));
}
