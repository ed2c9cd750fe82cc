import { composeSupergraph } from '../src/compose';

const sdl = (body: string) => `extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])\n${body}`;

describe('composition', () => {
  it('composes subgraphs that agree', () => {
    const result = composeSupergraph([
      {
        name: 'a',
        url: 'http://a/graphql',
        sdl: sdl('type Query { thing(id: ID!): Thing } type Thing @key(fields: "id") { id: ID! name: String! }'),
      },
      { name: 'b', url: 'http://b/graphql', sdl: sdl('type Thing @key(fields: "id") { id: ID! colour: String }') },
    ]);
    expect(result.ok).toBe(true);
    expect(result.ok && result.supergraphSdl).toContain('join__Graph');
  });

  it('reports why subgraphs do not compose, with codes', () => {
    const result = composeSupergraph([
      {
        name: 'a',
        url: 'http://a/graphql',
        sdl: sdl('type Query { a: Int } type Thing @key(fields: "id") { id: ID! name: String! }'),
      },
      { name: 'b', url: 'http://b/graphql', sdl: sdl('type Thing @key(fields: "id") { id: ID! name: Int! }') },
    ]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.join('\n')).toMatch(/Thing\.name/);
  });

  it('reports an invalid subgraph schema instead of throwing', () => {
    const result = composeSupergraph([
      { name: 'a', url: 'http://a/graphql', sdl: sdl('type Query { a: Int } type Thing @key(fields: "nope") { id: ID! }') },
    ]);
    expect(result).toEqual({ ok: false, errors: [expect.stringContaining('KEY_INVALID_FIELDS')] });
  });
});
