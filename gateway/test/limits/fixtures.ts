import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { buildSchema, type GraphQLSchema } from 'graphql';

/** A small schema with lists (sized and unsized), nesting, an interface and a union. */
export const typeDefs = /* GraphQL */ `
  type Query {
    organization(id: ID!): Organization
    organizations(first: Int, limit: Int): [Organization!]!
    search(text: String!): [SearchResult!]!
    node(id: ID!): Node
    eventPage(first: Int, after: String): EventConnection!
  }
  type EventConnection {
    edges: [EventEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }
  type EventEdge {
    cursor: String!
    node: Event!
  }
  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }
  type Subscription {
    eventChanged: Event!
  }
  interface Node {
    id: ID!
  }
  type Organization implements Node {
    id: ID!
    name: String!
    tags: [String!]!
    parent: Organization
    events(first: Int = 10): [Event!]!
  }
  type Event implements Node {
    id: ID!
    title: String!
    organization: Organization!
    series: [Series!]!
  }
  type Series {
    id: ID!
    name: String!
  }
  union SearchResult = Organization | Event
`;

export const schema: GraphQLSchema = buildSchema(typeDefs);

const event = (id: string) => ({ id, title: `Title ${id}`, series: [{ id: `${id}-s1`, name: 'Day 1' }] });
const organization = (id: string): Record<string, unknown> => ({
  id,
  name: `Org ${id}`,
  tags: ['music'],
  parent: null,
  events: ({ first }: { first: number }) =>
    Array.from({ length: Math.min(first, 2) }, (_, i) => ({ ...event(`${id}-e${i}`), organization: organization(id) })),
});

export const resolvers = {
  Query: {
    organization: (_: unknown, { id }: { id: string }) => organization(id),
    organizations: (_: unknown, { first }: { first?: number }) =>
      Array.from({ length: Math.min(first ?? 3, 3) }, (_, i) => organization(`o${i}`)),
    search: () => [],
    node: () => null,
  },
  Node: { __resolveType: () => 'Organization' },
  SearchResult: { __resolveType: () => 'Organization' },
};

/** The gateway's real API schema, as clients see it. */
export function apiSchema(): GraphQLSchema {
  const sdl = readFileSync(join(__dirname, '../../supergraph.graphql'), 'utf8');
  return Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
}

/** `{ a { a { … } } }`-style nesting through Organization.parent, `levels` fields deep. */
export function nestedParents(levels: number): string {
  let inner = 'id';
  for (let i = 1; i < levels - 1; i++) inner = `parent { ${inner} }`;
  return `{ organization(id: "o1") { ${inner} } }`;
}
