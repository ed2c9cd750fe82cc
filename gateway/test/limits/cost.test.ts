import { parse } from 'graphql';
import { checkOperationLimits, readCostDirectives } from '../../src/limits';
import { costDirectives, costOf, costSchema } from './cost-fixtures';

describe('readCostDirectives', () => {
  it('reads @listSize and @cost by the names the cost link imports them under', () => {
    expect(costDirectives.listSizes.get('Query.events')).toEqual({
      assumedSize: undefined,
      slicingArguments: ['first'],
      sizedFields: ['edges'],
      requireOneSlicingArgument: false,
    });
    expect(costDirectives.listSizes.get('Query.strictEvents')?.requireOneSlicingArgument).toBe(true);
    expect(costDirectives.listSizes.get('Event.gates')?.assumedSize).toBe(4);
    expect(costDirectives.fieldWeights.get('Query.report')).toBe(20);
    expect(costDirectives.argumentWeights.get('Query.report.detailed')).toBe(50);
  });

  it('finds nothing in a schema without the cost link (its own @listSize means something else)', () => {
    const directives = readCostDirectives(
      'directive @listSize(assumedSize: Int) on FIELD_DEFINITION\ntype Query { a: [Int] @listSize(assumedSize: 1) }',
    );
    expect(directives.listSizes.size).toBe(0);
  });

  it('follows a renamed import', () => {
    const sdl = `schema @link(url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: "@listSize", as: "@size" }]) { query: Query }
      type Query { a: [Int] @size(assumedSize: 3) b: [Int] @listSize(assumedSize: 9) }`;
    expect([...readCostDirectives(sdl).listSizes.keys()]).toEqual(['Query.a']);
  });
});

describe('cost with @listSize', () => {
  it("sizes a connection's edges by `first`: literal, variable, variable default, argument default", () => {
    const query = (first: string) => `query Q($n: Int = 7) { events${first} { totalCount edges { node { id title } } } }`;
    // events 1 + totalCount 1 + edges (1 + n × (node 1 + id 1 + title 1))
    const expected = (n: number) => 1 + 1 + 1 + n * 3;
    expect(costOf(query('(first: 50)')).cost).toBe(expected(50));
    expect(costOf(query('(first: $n)'), { n: 3 }).cost).toBe(expected(3));
    expect(costOf(query('(first: $n)')).cost).toBe(expected(7));
    expect(costOf(query('')).cost).toBe(expected(10));
    expect(costOf(query('(first: $n)'), { n: 3 }).variablesRead).toEqual(['n']);
  });

  it('uses assumedSize for a bounded list and the default size only for lists with no @listSize', () => {
    expect(costOf('{ gates { id name } }').cost).toBe(1 + 4 * 2);
    expect(costOf('{ unannotated { id name } }').cost).toBe(1 + 20 * 2);
  });

  it("takes an interface field's @listSize for the field of a type implementing it", () => {
    expect(costOf('{ place { ... on Hall { gates { id } } } }').cost).toBe(1 + 1 + 3 * 1);
    expect(costOf('{ place { gates { id } } }').cost).toBe(1 + 1 + 3 * 1);
  });

  it('adds @cost weights of fields and of the arguments given', () => {
    expect(costOf('{ report { id } }').cost).toBe(20 + 1);
    expect(costOf('{ report(detailed: true) { id } }').cost).toBe(20 + 50 + 1);
  });

  it('reports a field that requires one slicing argument and was given none or two', () => {
    expect(costOf('{ strictEvents(first: 5) { totalCount } }').missingSlicingArgument).toBeUndefined();
    expect(costOf('{ strictEvents { totalCount } }').missingSlicingArgument).toBe('Query.strictEvents');
    expect(costOf('{ strictEvents(first: 5, last: 5) { totalCount } }').missingSlicingArgument).toBe('Query.strictEvents');
    const [error] = checkOperationLimits(costSchema, parse('{ strictEvents { totalCount } }'), undefined, {}, { costDirectives });
    expect(error?.extensions).toMatchObject({ code: 'OPERATION_TOO_COSTLY', field: 'Query.strictEvents' });
    expect(error?.message).toContain('first, last');
  });
});

describe('cost of abstract types', () => {
  it('counts the costliest possible type of a union, not the sum of its branches', () => {
    const cheap = '... on Gate { id }';
    const costly = '... on Event { id gates { id name } }';
    // per result: Event 1 + (1 + 4 × 2) = 10, Gate 1; the search list holds 10
    expect(costOf(`{ search(text: "a") { ${cheap} ${costly} } }`).cost).toBe(1 + 10 * 10);
    expect(costOf(`{ search(text: "a") { ${cheap} } }`).cost).toBe(1 + 10 * 1);
    // named fragments and nesting narrow the same way
    const named = `{ search(text: "a") { ...G ...E } } fragment G on Gate { id name } fragment E on Event { ... on Event { id } }`;
    expect(costOf(named).cost).toBe(1 + 10 * 2);
  });
});

describe('cached estimates', () => {
  it('are kept per document and values of the size variables, so a new `first` is estimated again', () => {
    const document = parse('query Q($n: Int, $text: String) { events(first: $n) { edges { node { id title } } } }');
    const check = (variables: Record<string, unknown>) =>
      checkOperationLimits(costSchema, document, 'Q', variables, { costDirectives, maxCost: 100 }).map((e) => e.extensions);
    expect(check({ n: 10 })).toEqual([]);
    expect(check({ n: 1000 })).toEqual([{ code: 'OPERATION_TOO_COSTLY', cost: 3002, limit: 100 }]);
    expect(check({ n: 10, text: 'other variables do not matter' })).toEqual([]);
    expect(check({ n: 1000 })).toEqual([{ code: 'OPERATION_TOO_COSTLY', cost: 3002, limit: 100 }]);
  });
});
