/**
 * @interfaceObject: `ratings` sees the interface Media as one object type; only `media` knows each
 * entity's concrete type. A value whose concrete type nobody can tell cannot be completed as a Media:
 * it is null with an error at its path, never a silent null and never the interface's own name.
 */
import { ERROR_CODES } from '@eventgraph/runtime/src/error-codes';
import { GATEWAY_KINDS, specCase, startFederation, type Federation } from './harness';
import { interfaceObject } from './fixtures/interface-object';

describe.each(GATEWAY_KINDS)('@interfaceObject: $name', (kind) => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation(kind, interfaceObject);
  });
  afterAll(() => federation?.stop());

  specCase(kind, [])('fields of the interface object and of the interface, from the owning subgraph', async () => {
    const result = await federation.gateway.query('{ media { id title stars } }');
    expect(result).toEqual({
      status: 200,
      data: {
        media: [
          { id: 'm1', title: 'Dune', stars: 4 },
          { id: 'm2', title: 'Alien', stars: 5 },
        ],
      },
    });
  });

  specCase(kind, [])('concrete types from the interface’s subgraph, through the interface object', async () => {
    const result = await federation.gateway.query(
      '{ topRated { __typename id stars ... on Book { author } ... on Movie { director } } }',
    );
    expect(result.data?.topRated).toEqual(
      expect.arrayContaining([
        { __typename: 'Movie', id: 'm2', stars: 5, director: 'Scott' },
        { __typename: 'Book', id: 'm1', stars: 4, author: 'Herbert' },
      ]),
    );
  });

  // nothing selected depends on the concrete type, so the planner does not ask media for it
  specCase(kind, [])('fields that do not depend on the concrete type need no __typename', async () => {
    const result = await federation.gateway.query('{ topRated { id stars } }');
    expect(result).toEqual({
      status: 200,
      data: {
        topRated: [
          { id: 'm2', stars: 5 },
          { id: 'm1', stars: 4 },
          { id: 'm9', stars: null },
        ],
      },
    });
  });

  // m9 exists in ratings only: media answers null for it, so its concrete type cannot be resolved
  specCase(kind, ['stock'])('a value whose concrete type cannot be resolved is null with an error at its path', async () => {
    const result = await federation.gateway.query('{ topRated { __typename id stars title } }');
    expect(result.data).toEqual({
      topRated: [
        { __typename: 'Movie', id: 'm2', stars: 5, title: 'Alien' },
        { __typename: 'Book', id: 'm1', stars: 4, title: 'Dune' },
        null,
      ],
    });
    expect(result.errors).toEqual([expect.objectContaining({ path: ['topRated', 2] })]);
    expect(Object.keys(ERROR_CODES)).toContain(result.errors![0]!.extensions?.code);
  });

  // stock answers m9 as `{ id }`, as if it were neither a Book nor anything else
  specCase(kind, ['stock'])('a type condition on a value of unresolved type is an error, not an empty match', async () => {
    const result = await federation.gateway.query('{ topRated { id ... on Book { author } } }');
    expect(result.data).toEqual({ topRated: [{ id: 'm2' }, { id: 'm1', author: 'Herbert' }, null] });
    expect(result.errors).toEqual([expect.objectContaining({ path: ['topRated', 2] })]);
    expect(Object.keys(ERROR_CODES)).toContain(result.errors![0]!.extensions?.code);
  });
});
