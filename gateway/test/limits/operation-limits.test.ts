import { getIntrospectionQuery, parse, type GraphQLError } from 'graphql';
import { DEFAULT_LIMITS, LimitErrorCode, checkOperationLimits, countTokens, parseWithLimits } from '../../src/limits';
import { apiSchema, nestedParents, schema } from './fixtures';

const check = (query: string, limits = {}, variables?: Record<string, unknown>, operationName?: string) =>
  checkOperationLimits(schema, parse(query), operationName, variables, limits);
const codes = (errors: GraphQLError[]) => errors.map((e) => e.extensions.code);
const thrown = (run: () => unknown): GraphQLError => {
  try {
    run();
  } catch (err) {
    return err as GraphQLError;
  }
  throw new Error('expected an error');
};

describe('parseWithLimits', () => {
  it('parses documents within the token limit', () => {
    const doc = parseWithLimits('{ organization(id: "o1") { id name } }', DEFAULT_LIMITS);
    expect(doc.definitions).toHaveLength(1);
  });

  it('stops at exactly maxTokens, counting tokens the way graphql-js does (comments are free)', () => {
    const query = '# a long comment that costs nothing\n{ organization(id: "o1") { id name } }';
    const tokens = countTokens(query);
    expect(tokens).toBe(12);
    expect(() => parseWithLimits(query, { maxTokens: tokens })).not.toThrow();
    const error = thrown(() => parseWithLimits(query, { maxTokens: tokens - 1 }));
    expect(error.extensions).toEqual({ code: LimitErrorCode.TooManyTokens, limit: tokens - 1 });
    expect(error.message).toContain(`more than ${tokens - 1} tokens`);
  });

  it('refuses a huge document without reading all of it', () => {
    const huge = `{ ${'__typename '.repeat(200_000)}}`;
    const started = performance.now();
    const error = thrown(() => parseWithLimits(huge, DEFAULT_LIMITS));
    expect(error.extensions.code).toBe('TOO_MANY_TOKENS');
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('codes ordinary syntax errors GRAPHQL_PARSE_FAILED', () => {
    const error = thrown(() => parseWithLimits('{ organization(id: ', DEFAULT_LIMITS));
    expect(error.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(error.locations).toEqual([{ line: 1, column: 20 }]);
  });
});

describe('depth', () => {
  it('passes at the limit and refuses one level deeper, naming both', () => {
    expect(check(nestedParents(12))).toEqual([]);
    const [error, ...rest] = check(nestedParents(13));
    expect(rest).toEqual([]);
    expect(error!.extensions).toEqual({ code: 'OPERATION_TOO_DEEP', depth: 13, limit: 12 });
    expect(error!.message).toBe('The operation is 13 levels deep, above the limit of 12');
  });

  it('expands named and inline fragments', () => {
    const query = `
      query { organization(id: "o1") { ...Deep } }
      fragment Deep on Organization { parent { ... on Organization { parent { ...Deeper } } } }
      fragment Deeper on Organization { parent { id } }
    `;
    expect(check(query, { maxDepth: 5 })).toEqual([]);
    expect(check(query, { maxDepth: 4 })[0]!.extensions).toMatchObject({ code: 'OPERATION_TOO_DEEP', depth: 5 });
  });

  it('leaves introspection-only operations to Apollo Server, so tools get the standard query (15 levels of ofType)', () => {
    expect(check(getIntrospectionQuery())).toEqual([]);
    expect(check('{ __schema { types { fields { type { fields { type { name } } } } } } }', { maxDepth: 6 })).toEqual([]);
  });

  it('counts introspection fields mixed into a data operation', () => {
    const query =
      '{ __typename events { __typename venue { __typename name } } __schema { types { fields { type { fields { type { name } } } } } } }';
    expect(check(query, { maxDepth: 6 })[0]!.extensions).toMatchObject({ code: 'OPERATION_TOO_DEEP', depth: 7 });
  });

  it('measures only the operation asked for', () => {
    const query = `query Shallow { organization(id: "o1") { id } } query Deep ${nestedParents(20)}`;
    expect(check(query, {}, undefined, 'Shallow')).toEqual([]);
    expect(codes(check(query, {}, undefined, 'Deep'))).toEqual(['OPERATION_TOO_DEEP']);
  });
});

describe('aliases', () => {
  const aliased = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: name`).join(' ');

  it('passes at the limit and refuses above it', () => {
    expect(check(`{ organization(id: "o1") { ${aliased(30)} } }`)).toEqual([]);
    expect(check(`{ organization(id: "o1") { ${aliased(31)} } }`)[0]!.extensions).toEqual({
      code: 'TOO_MANY_ALIASES',
      aliases: 31,
      limit: 30,
    });
  });

  it('counts aliases once per place their fragment is spread', () => {
    const query = `{ a: organization(id: "1") { ...F } b: organization(id: "2") { ...F } } fragment F on Organization { ${aliased(10)} }`;
    expect(check(query, { maxAliases: 22 })).toEqual([]);
    expect(check(query, { maxAliases: 21 })[0]!.extensions).toMatchObject({ code: 'TOO_MANY_ALIASES', aliases: 22 });
  });
});

describe('directive repetition', () => {
  it('refuses documents with more directives than allowed', () => {
    // one per field, which validation's one-@include-per-location rule does not catch
    const directives = (n: number) => 'id @include(if: true) '.repeat(n);
    expect(check(`{ organization(id: "o1") { ${directives(50)} } }`, { maxCost: Infinity })).toEqual([]);
    expect(check(`{ organization(id: "o1") { ${directives(51)} } }`, { maxCost: Infinity })[0]!.extensions).toEqual({
      code: 'TOO_MANY_DIRECTIVES',
      directives: 51,
      limit: 50,
    });
  });
});

describe('cost', () => {
  it('charges 1 per field and multiplies list selections by first/limit', () => {
    // organizations: 1 + 10 × (id 1 + events: 1 + 5 × (id + title)) = 1 + 10 × 12
    const query = '{ organizations(first: 10) { id events(first: 5) { id title } } }';
    expect(check(query, { maxCost: 121 })).toEqual([]);
    expect(check(query, { maxCost: 120 })[0]!.extensions).toEqual({ code: 'OPERATION_TOO_COSTLY', cost: 121, limit: 120 });
    expect(check('{ organizations(limit: 4) { id } }', { maxCost: 4 })[0]!.extensions).toMatchObject({ cost: 5 });
  });

  it('takes sizes from variables, variable defaults, schema defaults, else the default list size', () => {
    const query = 'query ($n: Int = 7) { organizations(first: $n) { id events { id } } }';
    // events falls back to its schema default (first: Int = 10): 1 + n × (1 + 1 + 10)
    expect(check(query, { maxCost: 0 }, {})[0]!.extensions).toMatchObject({ cost: 1 + 7 * 12 });
    expect(check(query, { maxCost: 0 }, { n: 2 })[0]!.extensions).toMatchObject({ cost: 1 + 2 * 12 });
    // no size argument at all: the configured default list size
    expect(
      check('{ search(text: "x") { ... on Organization { id } } }', { maxCost: 0, defaultListSize: 3 })[0]!.extensions,
    ).toMatchObject({
      cost: 1 + 3 * 1,
    });
  });

  it("sizes the edges of a Relay connection by the connection's first", () => {
    const query = '{ eventPage(first: 30) { totalCount pageInfo { hasNextPage } edges { cursor node { id title } } } }';
    // 1 + (totalCount 1 + pageInfo 2 + edges: 1 + 30 × (cursor 1 + node 3))
    expect(check(query, { maxCost: 0 })[0]!.extensions).toMatchObject({ cost: 1 + 1 + 2 + 1 + 30 * 4 });
    // no size given: the default list size, as for a plain list
    expect(check('{ eventPage { edges { cursor } } }', { maxCost: 0, defaultListSize: 3 })[0]!.extensions).toMatchObject({
      cost: 1 + 1 + 3 * 1,
    });
    // the same selection through a fragment is sized alike
    const fragment = '{ eventPage(first: 30) { ...Page } } fragment Page on EventConnection { edges { cursor } }';
    expect(check(fragment, { maxCost: 0 })[0]!.extensions).toMatchObject({ cost: 1 + 1 + 30 });
  });

  it('leaves __typename free and scalar lists at 1', () => {
    expect(check('{ organization(id: "o1") { __typename tags } }', { maxCost: 0 })[0]!.extensions).toMatchObject({ cost: 2 });
  });

  it('refuses expensive operations against the real API schema, using its argument defaults', () => {
    const api = apiSchema();
    const cheap = '{ events(first: 10) { edges { node { id title venue { name } } } } }';
    expect(checkOperationLimits(api, parse(cheap), undefined, undefined, DEFAULT_LIMITS)).toEqual([]);
    // connections default to 20 edges, series (a plain list) to the default list size 20:
    // events 1 + edges (1 + 20 × node (1 + organization (1 + events (1 + edges (1 + 20 × node (1 + series (1 + 20 × 2)))))))
    const costly = '{ events { edges { node { organization { events { edges { node { series { id name } } } } } } } } }';
    const [error] = checkOperationLimits(api, parse(costly), undefined, undefined, DEFAULT_LIMITS);
    expect(error!.extensions).toEqual({ code: 'OPERATION_TOO_COSTLY', cost: 16_882, limit: 5_000 });
  });
});

describe('hostile documents', () => {
  it('terminates on fragment cycles (which validation would reject)', () => {
    const query =
      '{ organization(id: "o1") { ...A } } fragment A on Organization { parent { ...B } } fragment B on Organization { parent { ...A } }';
    expect(check(query)).toEqual([]);
  });

  it('measures a fragment bomb in linear time and refuses it', () => {
    // each fragment spreads the previous one twice: 2^40 fields once expanded
    let doc = 'fragment F0 on Organization { id a: name }';
    for (let i = 1; i <= 40; i++) doc += ` fragment F${i} on Organization { ...F${i - 1} ...F${i - 1} }`;
    doc = `{ organization(id: "o1") { ...F40 } } ${doc}`;
    const started = performance.now();
    const errors = check(doc, { maxTokens: 10_000 });
    expect(performance.now() - started).toBeLessThan(100);
    expect(codes(errors)).toEqual(['TOO_MANY_ALIASES', 'OPERATION_TOO_COSTLY']);
    expect(errors[1]!.extensions.cost).toBe(1 + 2 ** 41);
  });

  it('reports every limit exceeded', () => {
    const deep = 'parent { '.repeat(12) + 'id' + ' }'.repeat(12);
    const query = `{ organizations(first: 1000) { ${deep} ${Array.from({ length: 31 }, (_, i) => `x${i}: id`).join(' ')} } }`;
    expect(codes(check(query))).toEqual(['OPERATION_TOO_DEEP', 'TOO_MANY_ALIASES', 'OPERATION_TOO_COSTLY']);
  });

  it('ignores an operation name that matches nothing (execution reports it)', () => {
    expect(check(nestedParents(20), {}, undefined, 'Missing')).toEqual([]);
  });
});
