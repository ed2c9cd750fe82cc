import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { composeSupergraph } from '../../src/compose';
import { CALLER_KINDS, DEFAULT_LIMITS, checkOperationLimits, limitsForCaller, readCostDirectives } from '../../src/limits';

// The public gateways-benchmark's four subgraphs and nested query, with @listSize where its data is bounded.
const FIXTURES = join(__dirname, 'fixtures', 'bench');
const SUBGRAPHS = ['accounts', 'inventory', 'products', 'reviews'];
const query = parse(readFileSync(join(FIXTURES, 'query.graphql'), 'utf8'));

function benchSupergraph(annotated: boolean) {
  const subgraphs = SUBGRAPHS.map((name) => {
    const sdl = readFileSync(join(FIXTURES, `${name}.graphql`), 'utf8');
    return { name, url: `http://localhost/${name}`, sdl: annotated ? sdl : sdl.replace(/@listSize\([^)]*\)/g, '') };
  });
  const composed = composeSupergraph(subgraphs);
  if (!composed.ok) throw new Error(composed.errors.join('\n'));
  const schema = Supergraph.build(composed.supergraphSdl).apiSchema().toGraphQLJSSchema();
  return { schema, limits: { ...DEFAULT_LIMITS, costDirectives: readCostDirectives(composed.supergraphSdl) } };
}

describe("the gateway benchmark's nested query", () => {
  const annotated = benchSupergraph(true);

  it.each(CALLER_KINDS)('passes the default limits for %s callers when its subgraphs declare their list sizes', (kind) => {
    expect(annotated.limits.costDirectives.listSizes.size).toBe(4);
    expect(checkOperationLimits(annotated.schema, query, 'TestQuery', {}, limitsForCaller(annotated.limits, kind))).toEqual([]);
  });

  it('is refused as too costly without them (every list assumed 20 long)', () => {
    const bare = benchSupergraph(false);
    expect(bare.limits.costDirectives.listSizes.size).toBe(0);
    const [error, ...more] = checkOperationLimits(bare.schema, query, 'TestQuery', {}, bare.limits);
    expect(more).toEqual([]);
    expect(error?.extensions).toEqual({ code: 'OPERATION_TOO_COSTLY', cost: expect.any(Number), limit: DEFAULT_LIMITS.maxCost });
    expect(error?.extensions.cost).toBeGreaterThan(1_000_000);
  });

  describe('hostile operations on the same schema are still refused with their cost and the limit', () => {
    const refusal = (text: string, variables: Record<string, unknown> = {}) => {
      const errors = checkOperationLimits(annotated.schema, parse(text), undefined, variables, annotated.limits);
      return errors.find((e) => e.extensions.code === 'OPERATION_TOO_COSTLY')?.extensions;
    };

    it('a huge `first`, literal or through a variable', () => {
      expect(refusal('{ topProducts(first: 100000) { upc name } }')).toEqual({
        code: 'OPERATION_TOO_COSTLY',
        cost: expect.any(Number),
        limit: DEFAULT_LIMITS.maxCost,
      });
      expect(refusal('query Q($n: Int) { topProducts(first: $n) { upc } }', { n: 50_000 })?.cost).toBeGreaterThan(50_000);
      expect(refusal('query Q($n: Int) { topProducts(first: $n) { upc } }', { n: 5 })).toBeUndefined();
    });

    it('nested lists asked for again and again under aliases', () => {
      // 11 levels, within the depth limit: 6 users × (2 × 4 reviews)² × 2 items, then the whole again under 4 aliases
      const path = ['users', 'reviews', 'product', 'reviews', 'author', 'reviews', 'product', 'reviews', 'author', 'reviews'];
      const nested = `${path.map((field) => `${field} { id `).join('')}${'} '.repeat(path.length)}`.replace(
        /product \{ id /g,
        'product { upc ',
      );
      expect(refusal(`{ ${nested} }`)).toBeUndefined();
      const aliased = `{ ${['a', 'b', 'c', 'd', 'e'].map((alias) => `${alias}: ${nested}`).join(' ')} }`;
      expect(refusal(aliased)?.cost).toBeGreaterThan(DEFAULT_LIMITS.maxCost);
    });

    it('a fragment bomb', () => {
      const levels = Array.from(
        { length: 8 },
        (_, i) => `fragment F${i} on Product { upc reviews { id product { ...F${i + 1} } } }`,
      );
      const bomb = `{ topProducts { ...F0 } } ${levels.join(' ')} fragment F8 on Product { upc }`;
      expect(refusal(bomb)?.cost).toBeGreaterThan(DEFAULT_LIMITS.maxCost);
    });
  });
});
