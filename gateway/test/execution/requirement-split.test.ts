import type { FetchNode, QueryPlanSelectionNode } from '@apollo/query-planner';
import type { RequirementFields } from '../../src/execution/requirement-fields';
import { splitByRequirements } from '../../src/execution/requirement-split';

const field = (name: string, selections?: QueryPlanSelectionNode[]): QueryPlanSelectionNode => ({
  kind: 'Field',
  name,
  selections,
});
const requirements: RequirementFields = {
  fields: new Map([
    // splitting reads only which real field each synthetic one stands for
    ['_egreq0_comments', { name: 'comments', arguments: [] }],
    ['_egreq1_comments', { name: 'comments', arguments: [] }],
  ]),
  requirements: new Map([
    ['digests|Post.summary', new Set(['_egreq0_comments'])],
    ['digests|Post.digest', new Set(['_egreq1_comments'])],
  ]),
};
const entityFetch = (selection: string, variables = ''): FetchNode => ({
  kind: 'Fetch',
  serviceName: 'digests',
  operation: `query Op__digests__1($representations:[_Any!]!${variables}){_entities(representations:$representations){...on Post{${selection}}}}`,
  operationName: 'Op__digests__1',
  operationKind: 'query' as FetchNode['operationKind'],
  variableUsages: variables ? ['n', 'upper'] : [],
  requires: [
    {
      kind: 'InlineFragment',
      typeCondition: 'Post',
      selections: [
        field('__typename'),
        field('id'),
        field('_egreq0_comments', [field('body')]),
        field('_egreq1_comments', [field('body')]),
      ],
    },
  ],
});
const requiredFields = (fetch: FetchNode) =>
  (fetch.requires![0] as { selections: QueryPlanSelectionNode[] }).selections.map((s) => (s.kind === 'Field' ? s.name : '…'));

describe('entity fetches whose requirements need two values of one field', () => {
  it('are split by the fields requiring them, each with its own part of the representation and its own variables', () => {
    const fetches = splitByRequirements(
      entityFetch('__typename summary(style:$upper) digest recent(n:$n)', ',$n:Int,$upper:Boolean'),
      requirements,
    );
    expect(fetches.map((f) => [f.operation, f.variableUsages, requiredFields(f)])).toEqual([
      [
        'query Op__digests__1($representations:[_Any!]!$n:Int$upper:Boolean){_entities(representations:$representations){...on Post{__typename summary(style:$upper)recent(n:$n)}}}',
        ['n', 'upper'],
        ['__typename', 'id', '_egreq0_comments'],
      ],
      [
        'query Op__digests__1($representations:[_Any!]!){_entities(representations:$representations){...on Post{__typename digest}}}',
        [],
        ['__typename', 'id', '_egreq1_comments'],
      ],
    ]);
  });

  it('stay whole when their requirements agree', () => {
    const fetch = entityFetch('summary');
    const agreeing = { ...fetch, requires: [{ ...fetch.requires![0]!, selections: [field('id'), field('_egreq0_comments')] }] };
    expect(splitByRequirements(agreeing, requirements)[0]).toBe(agreeing);
  });

  it('fail planning when they cannot be split (named fragments)', () => {
    const fetch = entityFetch('...F');
    expect(() =>
      splitByRequirements({ ...fetch, operation: `${fetch.operation} fragment F on Post { summary digest }` }, requirements),
    ).toThrow('cannot be split');
  });
});
