import { buildSchema, parse, type GraphQLError, type OperationDefinitionNode, type FragmentDefinitionNode } from 'graphql';
import { compileShape } from '../../src/execution/shape-compiler';
import { shapeResponse } from '../../src/execution/result-shaper';

const schema = buildSchema(`
  type Query { event(id: ID!): Event, events: [Event!]!, node: Node, required: Event! }
  interface Node { id: ID! }
  enum Status { DRAFT PUBLISHED }
  type Event implements Node { id: ID!, title: String!, status: Status, capacity: Int, venue: Venue, tags: [String!] }
  type Venue implements Node { id: ID!, name: String }
`);

function shape(query: string, data: Record<string, unknown>, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition')
      .map((f) => [f.name.value, f]),
  );
  const errors: GraphQLError[] = [];
  const result = shapeResponse(compileShape(schema, schema.getQueryType()!, operation.selectionSet, fragments), 'Query', data, {
    variables,
    errors,
    introspect: () => null,
    explained: () => false,
  });
  return { data: result, errors: errors.map((e) => ({ message: e.message, path: e.path, code: e.extensions.code })) };
}

describe('result shaping', () => {
  it('keeps only what the client selected, in its order, with aliases and the runtime __typename', () => {
    const data = { event: { __typename: 'Event', id: '1', title: 'Gig', capacity: 10, plannerKey: 'x' }, e2: { title: 'Other' } };
    expect(shape('{ event(id: 1) { title t: __typename id } e2: event(id: 2) { title } }', data)).toEqual({
      data: { event: { title: 'Gig', t: 'Event', id: '1' }, e2: { title: 'Other' } },
      errors: [],
    });
  });

  it('applies fragments only to the types they name, and merges repeated fields', () => {
    const data = { node: { __typename: 'Venue', id: 'v', name: 'Hall' } };
    const query = `{ node { id ... on Event { title } ...V } } fragment V on Venue { name }`;
    expect(shape(query, data).data).toEqual({ node: { id: 'v', name: 'Hall' } });
    const merged = shape('{ event(id: 1) { venue { id } venue { name } } }', { event: { venue: { id: 'v', name: 'Hall' } } });
    expect(merged.data).toEqual({ event: { venue: { id: 'v', name: 'Hall' } } });
  });

  it('honours @skip and @include with variables and literals', () => {
    const data = { event: { id: '1', title: 'Gig', capacity: 3 } };
    const query =
      'query($s: Boolean!, $i: Boolean!) { event(id: 1) { id @skip(if: $s) title @include(if: $i) capacity @skip(if: true) } }';
    expect(shape(query, data, { s: true, i: true }).data).toEqual({ event: { title: 'Gig' } });
    expect(shape(query, data, { s: false, i: false }).data).toEqual({ event: { id: '1' } });
  });

  it('nulls the nearest nullable parent of a null non-null field, with one error at its path', () => {
    const result = shape('{ event(id: 1) { id title } }', { event: { id: '1', title: null } });
    expect(result).toEqual({
      data: { event: null },
      errors: [
        {
          message: 'Cannot return null for non-nullable field Event.title.',
          path: ['event', 'title'],
          code: 'INVALID_SUBGRAPH_RESPONSE',
        },
      ],
    });
    const list = shape('{ events { title } }', { events: [{ title: 'a' }, { title: null }] });
    expect(list.data).toBeNull();
    expect(list.errors.map((e) => e.path)).toEqual([['events', 1, 'title']]);
  });

  it('refuses leaf values the schema does not allow (a wrong enum value, a string for an Int)', () => {
    const result = shape('{ event(id: 1) { status capacity } }', { event: { status: 'SOLD', capacity: '12' } });
    expect(result.data).toEqual({ event: { status: null, capacity: null } });
    expect(result.errors.map((e) => e.message)).toEqual([
      'Invalid value found for field Event.status.',
      'Invalid value found for field Event.capacity.',
    ]);
  });

  it('keeps nulls of nullable fields and lists without errors', () => {
    expect(shape('{ event(id: 1) { venue { name } tags } }', { event: { venue: null, tags: null } })).toEqual({
      data: { event: { venue: null, tags: null } },
      errors: [],
    });
  });
});
