/**
 * Federation v2 @requires on a field that takes arguments: the requirement's own arguments reach the
 * owning subgraph, and each requirement is computed from exactly the value it names, whatever else the
 * operation selects from the same field.
 */
import { GATEWAY_KINDS, specCase, startFederation, type Federation } from './harness';
import { requiresArguments } from './fixtures/requires-arguments';

describe.each(GATEWAY_KINDS)('@requires with arguments: $name', (kind) => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation(kind, requiresArguments);
  });
  afterAll(() => federation?.stop());
  const posts = () => federation.subgraph('posts').received;

  specCase(kind, [])('the requirement’s argument reaches the owning subgraph', async () => {
    posts().length = 0;
    const result = await federation.gateway.query('{ post(id: "p1") { summary } }');
    expect(result).toEqual({ status: 200, data: { post: { summary: 'first' } } });
    expect(posts().map((r) => r.query)).toEqual([expect.stringContaining('comments(limit:1)')]);
  });

  specCase(kind, [])('a requirement the client also selects with the same argument', async () => {
    const result = await federation.gateway.query('{ post(id: "p1") { comments(limit: 1) { body } summary } }');
    expect(result).toEqual({ status: 200, data: { post: { comments: [{ body: 'first' }], summary: 'first' } } });
  });

  // the client's comments(limit: $n) and the requirement's comments(limit: 1) share the response name
  specCase(kind, ['stock'])(
    'the client selects the required field with another argument through a variable default',
    async () => {
      const result = await federation.gateway.query(
        'query ($n: Int = 2) { post(id: "p1") { comments(limit: $n) { body } summary } }',
      );
      expect(result).toEqual({
        status: 200,
        data: { post: { comments: [{ body: 'first' }, { body: 'second' }], summary: 'first' } },
      });
    },
  );

  specCase(kind, ['stock'])('the same through a variable the client sends', async () => {
    const result = await federation.gateway.query('query ($n: Int) { post(id: "p1") { comments(limit: $n) { body } summary } }', {
      n: 3,
    });
    expect(result).toEqual({
      status: 200,
      data: { post: { comments: [{ body: 'first' }, { body: 'second' }, { body: 'third' }], summary: 'first' } },
    });
  });

  specCase(kind, ['stock'])('the same through an inline fragment and a named fragment', async () => {
    const result = await federation.gateway.query(
      '{ post(id: "p1") { ... on Post { comments(limit: 3) { body } } ...Summary } } fragment Summary on Post { summary }',
    );
    expect(result).toEqual({
      status: 200,
      data: { post: { comments: [{ body: 'first' }, { body: 'second' }, { body: 'third' }], summary: 'first' } },
    });
  });

  specCase(kind, [])('an aliased client field with another argument does not disturb the requirement', async () => {
    const result = await federation.gateway.query('{ post(id: "p1") { all: comments { body } summary } }');
    expect(result).toEqual({
      status: 200,
      data: { post: { all: [{ body: 'first' }, { body: 'second' }, { body: 'third' }], summary: 'first' } },
    });
  });

  // summary needs comments(limit: 1), digest comments(limit: 2): one representation cannot carry both
  specCase(kind, ['stock'])('two requirements of one field with different arguments each get their own value', async () => {
    const result = await federation.gateway.query('{ post(id: "p1") { summary digest } }');
    expect(result).toEqual({ status: 200, data: { post: { summary: 'first', digest: 'first|second' } } });
  });

  specCase(kind, [])('a requirement with an argument inside the required field reaches the owning subgraph', async () => {
    posts().length = 0;
    const result = await federation.gateway.query('{ post(id: "p1") { shout } }');
    expect(result).toEqual({ status: 200, data: { post: { shout: 'FIRST|SECOND' } } });
    expect(posts().map((r) => r.query)).toEqual([expect.stringMatching(/comments\(limit:2\)\{[^}]*text\(upper:true\)/)]);
  });

  // both need comments(limit: 2), one with text(upper: true) inside, the other with text(upper: false)
  specCase(kind, ['stock'])('two requirements that differ only in an inner argument each get their own value', async () => {
    const result = await federation.gateway.query('{ post(id: "p1") { shout murmur } }');
    expect(result).toEqual({ status: 200, data: { post: { shout: 'FIRST|SECOND', murmur: 'first|second' } } });
  });

  specCase(kind, ['stock'])(
    'the client selects both required values of the field next to the fields requiring them',
    async () => {
      posts().length = 0;
      const result = await federation.gateway.query(
        '{ post(id: "p1") { one: comments(limit: 1) { body } two: comments(limit: 2) { body } summary digest } }',
      );
      expect(result).toEqual({
        status: 200,
        data: {
          post: {
            one: [{ body: 'first' }],
            two: [{ body: 'first' }, { body: 'second' }],
            summary: 'first',
            digest: 'first|second',
          },
        },
      });
      // one request to the owning subgraph fetches the client's fields and both requirements
      expect(posts()).toHaveLength(1);
    },
  );

  specCase(kind, [])('the fields the gateway adds for requirements are not part of the API', async () => {
    const introspected = await federation.gateway.query('{ __type(name: "Post") { fields { name } } }');
    expect(introspected.data).toEqual({
      __type: {
        fields: ['id', 'comments', 'summary', 'digest', 'shout', 'murmur', 'title'].map((name) => ({ name })),
      },
    });
    const direct = await federation.gateway.query('{ post(id: "p1") { _egreq0_comments { body } } }');
    expect(direct).toMatchObject({ status: 400, errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
  });
});
