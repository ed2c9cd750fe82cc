import { parse } from 'graphql';
import type { FetchNode } from '@apollo/query-planner';
import { EntityBatcher, type SubgraphAnswer, type SubgraphRequest } from '../../src/execution/entity-batcher';

const entityFetch = (serviceName: string, selection: string): FetchNode => {
  const operation = `query Op__${serviceName}($representations:[_Any!]!){_entities(representations:$representations){...on Product{${selection}}}}`;
  return {
    kind: 'Fetch',
    serviceName,
    operation,
    operationName: `Op__${serviceName}`,
    operationKind: 'query' as FetchNode['operationKind'],
    operationDocumentNode: parse(operation),
    requires: [],
  };
};

/** Subgraphs that answer every `_entities` alias with one object per representation; `accounts` after `accountsDelayMs`. */
function subgraph(accountsDelayMs = 0) {
  const received: SubgraphRequest[] = [];
  const send = async (service: string, request: SubgraphRequest): Promise<SubgraphAnswer> => {
    received.push(request);
    await new Promise((r) => setTimeout(r, service === 'accounts' ? accountsDelayMs : 0));
    const data: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(request.variables))
      if (name.startsWith('representations'))
        data[name === 'representations' ? '_entities' : `_${name.split('_')[1]}`] = (value as { upc: string }[]).map((r) => ({
          name: `P${r.upc}`,
        }));
    return { data, errors: [{ message: 'second fetch failed at one entity', path: ['_1', 0, 'name'] }] };
  };
  return { received, send };
}

describe('entity fetches of one request', () => {
  it('go to a subgraph as one operation when ready together, each answered as if sent alone', async () => {
    const { received, send } = subgraph();
    const batcher = new EntityBatcher(send, 5);
    const [first, second] = await Promise.all([
      batcher.fetchEntities(entityFetch('products', 'name'), {}, [{ __typename: 'Product', upc: '1' }]),
      batcher.fetchEntities(entityFetch('products', 'name price'), {}, [{ __typename: 'Product', upc: '2' }]),
    ]);
    expect(received).toHaveLength(1);
    const merged = received[0]!.query.replace(/\s+/g, '');
    expect(merged).toContain('_0:_entities(representations:$representations_0)');
    expect(merged).toContain('_1:_entities(representations:$representations_1)');
    expect(first).toEqual({ data: { _entities: [{ name: 'P1' }] } });
    expect(second).toEqual({
      data: { _entities: [{ name: 'P2' }] },
      errors: [{ message: 'second fetch failed at one entity', path: ['_entities', 0, 'name'] }],
    });
  });

  it('wait for an answer in flight (its branch may need the same subgraph), but no longer than the bound', async () => {
    const { received, send } = subgraph(30);
    const batcher = new EntityBatcher(send, 1_000);
    const root = batcher.send('accounts', { query: '{ me { id } }', variables: {} });
    const early = batcher.fetchEntities(entityFetch('products', 'name'), {}, [{ __typename: 'Product', upc: '1' }]);
    // the second fetch becomes ready only once the root answer is in: both go out together
    const late = root.then(() =>
      batcher.fetchEntities(entityFetch('products', 'price'), {}, [{ __typename: 'Product', upc: '2' }]),
    );
    await Promise.all([early, late]);
    expect(received.map((r) => r.operationName)).toEqual([undefined, 'Op__products__merged']);

    const bounded = new EntityBatcher(subgraph(200).send, 20);
    const slowRoot = bounded.send('accounts', { query: '{ me { id } }', variables: {} });
    const started = performance.now();
    await bounded.fetchEntities(entityFetch('products', 'name'), {}, [{ __typename: 'Product', upc: '1' }]);
    expect(performance.now() - started).toBeLessThan(150);
    await slowRoot;
  });
});
