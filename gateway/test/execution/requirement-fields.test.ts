import { Supergraph } from '@apollo/federation-internals';
import type { FetchNode, PlanNode, QueryPlan, SubscriptionNode } from '@apollo/query-planner';
import { getOperationAST, parse, print, printSchema } from 'graphql';
import { createLogger } from '@eventgraph/runtime';
import { composeSupergraph } from '../../src/compose';
import { loadSupergraph } from '../../src/execution';
import { representationOf } from '../../src/execution/entity-data';
import { prepareOperation } from '../../src/execution/prepared-operation';
import { withRequirementFields } from '../../src/execution/requirement-fields';
import { requiresArguments } from '../federation/fixtures/requires-arguments';

const compose = (subgraphs: Array<{ name: string; sdl: string }>) => {
  const result = composeSupergraph(subgraphs.map((s) => ({ ...s, url: `http://${s.name}.test/graphql` })));
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.supergraphSdl;
};
// the conformance fixture, with a subscription whose events need the same requirements
const SUPERGRAPH = compose(
  requiresArguments.map((s) => (s.name === 'posts' ? { ...s, sdl: `${s.sdl}\ntype Subscription { postAdded: Post }` } : s)),
);
const printed = (sdl: string | ReturnType<typeof parse>) => (typeof sdl === 'string' ? sdl : print(sdl));
const fieldLine = (sdl: string, field: string) =>
  sdl
    .split('\n')
    .find((line) => line.trim().startsWith(`${field}`))
    ?.trim();

describe('requirement fields in the supergraph', () => {
  const transformed = withRequirementFields(SUPERGRAPH);
  const sdl = printed(transformed.supergraph);

  it('gives each distinct field and arguments of a requirement a field of its own, at any depth', () => {
    const standsFor = [...transformed.fields].map(([name, f]) => `${name} = ${f.name}(${f.arguments.map(print).join(', ')})`);
    expect(standsFor).toEqual([
      '_egreq0_comments = comments(limit: 1)',
      '_egreq1_comments = comments(limit: 2)',
      '_egreq2_text = text(upper: true)',
      '_egreq3_text = text(upper: false)',
    ]);
    expect(fieldLine(sdl, 'summary:')).toContain('requires: "_egreq0_comments{body}"');
    expect(fieldLine(sdl, 'digest:')).toContain('requires: "_egreq1_comments{body}"');
    expect(fieldLine(sdl, 'shout:')).toContain('requires: "_egreq1_comments{_egreq2_text}"');
    expect(transformed.requirements.get('digests|Post.shout')).toEqual(new Set(['_egreq1_comments', '_egreq2_text']));
  });

  it('resolves a synthetic field where the original is, external where it is required, and hidden from clients', () => {
    expect(fieldLine(sdl, '_egreq0_comments:')).toBe(
      '_egreq0_comments: [Comment] @join__field(graph: DIGESTS, external: true) @join__field(graph: POSTS) @inaccessible',
    );
    // no requirement of digests selects the original any more, and an unused external field fails validation
    expect(fieldLine(sdl, 'comments(limit: Int):')).toBe('comments(limit: Int): [Comment] @join__field(graph: POSTS)');
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)');
  });

  it('leaves the API schema exactly as composed', () => {
    const api = (supergraph: string | ReturnType<typeof parse>) =>
      printSchema(Supergraph.build(supergraph).apiSchema().toGraphQLJSSchema());
    expect(api(transformed.supergraph)).toBe(api(SUPERGRAPH));
    expect(api(transformed.supergraph)).not.toContain('_egreq');
  });

  it('leaves a supergraph whose requirements pass no arguments as it is', () => {
    const plain = compose([
      { ...requiresArguments[0]! },
      {
        name: 'digests',
        sdl: requiresArguments[1]!.sdl
          .replace(/comments\(limit: \d\)/g, 'comments')
          .replace(/text\(upper: (true|false)\)/g, 'body'),
      },
    ]);
    const result = withRequirementFields(plain);
    expect(result.supergraph).toBe(plain);
    expect(result.fields.size).toBe(0);
  });
});

describe('plans over requirement fields', () => {
  const supergraph = loadSupergraph(SUPERGRAPH, createLogger('gateway', 'silent'));
  const planOf = (source: string): QueryPlan => {
    const document = parse(source);
    const prepared = prepareOperation(supergraph, document, getOperationAST(document)!);
    if (!('plan' in prepared)) throw prepared;
    return prepared.plan;
  };
  const fetchesOf = (node: PlanNode | SubscriptionNode | undefined): FetchNode[] => {
    if (!node) return [];
    switch (node.kind) {
      case 'Fetch':
        return [node];
      case 'Sequence':
      case 'Parallel':
        return node.nodes.flatMap(fetchesOf);
      case 'Flatten':
        return fetchesOf(node.node);
      case 'Subscription':
        return [node.primary, ...fetchesOf(node.rest)];
      default:
        return [];
    }
  };
  const summary = (fetch: FetchNode) => ({ service: fetch.serviceName, operation: fetch.operation, requires: fetch.requires });
  const representation = (comments: string) => [
    {
      kind: 'InlineFragment',
      typeCondition: 'Post',
      selections: [
        { kind: 'Field', name: '__typename' },
        { kind: 'Field', name: 'id' },
        { kind: 'Field', name: 'comments', alias: comments, selections: [{ kind: 'Field', name: 'body' }] },
      ],
    },
  ];

  it('asks the owning subgraph for the real field under the synthetic name, and splits an entity fetch that needs two of its values', () => {
    const fetches = fetchesOf(planOf('{ post(id: "p1") { summary digest } }').node).map(summary);
    expect(fetches).toEqual([
      {
        service: 'posts',
        operation: expect.stringContaining('_egreq1_comments:comments(limit:2){body}_egreq0_comments:comments(limit:1){body}'),
        requires: undefined,
      },
      {
        service: 'digests',
        operation: expect.stringContaining('{...on Post{summary}}'),
        requires: representation('_egreq0_comments'),
      },
      {
        service: 'digests',
        operation: expect.stringContaining('{...on Post{digest}}'),
        requires: representation('_egreq1_comments'),
      },
    ]);
  });

  it('rewrites subscription plans the same way (the primary fetch and the entity fetches of each event)', () => {
    const plan = planOf('subscription { postAdded { summary digest } }');
    expect(plan.node?.kind).toBe('Subscription');
    const fetches = fetchesOf(plan.node);
    expect(fetches[0]!.operation).toContain('_egreq0_comments:comments(limit:1){body}');
    expect(fetches.slice(1).map((f) => f.operation)).toEqual([
      expect.stringContaining('{...on Post{summary}}'),
      expect.stringContaining('{...on Post{digest}}'),
    ]);
  });

  it('builds representations under the real field name from the value fetched under the synthetic one', () => {
    const [, digestFetch] = fetchesOf(planOf('{ post(id: "p1") { summary digest } }').node).slice(1);
    const post = {
      __typename: 'Post',
      id: 'p1',
      _egreq0_comments: [{ body: 'first' }],
      _egreq1_comments: [{ body: 'first' }, { body: 'second' }],
    };
    expect(representationOf(post, digestFetch!.requires!, (typename, condition) => typename === condition)).toEqual({
      __typename: 'Post',
      id: 'p1',
      comments: [{ body: 'first' }, { body: 'second' }],
    });
  });
});
