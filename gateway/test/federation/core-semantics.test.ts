/**
 * Everyday federation semantics any executor must keep: @provides saves a fetch, variables and
 * argument defaults reach entity fetches, @include/@skip decide fetches, a subgraph's non-null
 * violation nulls up to the nearest nullable ancestor only, and unions over entities answer per type.
 */
import { GATEWAY_KINDS, specCase, startFederation, type Federation } from './harness';
import { coreSemantics } from './fixtures/core-semantics';

describe.each(GATEWAY_KINDS)('core federation semantics: $name', (kind) => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation(kind, coreSemantics);
  });
  afterAll(() => federation?.stop());
  const itemsCalls = () => federation.subgraph('items').received;

  specCase(kind, [])('a field @provides along the path is not fetched again', async () => {
    itemsCalls().length = 0;
    const result = await federation.gateway.query('{ orders { item { name } } }');
    expect(result).toEqual({ status: 200, data: { orders: [{ item: { name: 'Tent' } }, { item: { name: 'Lamp' } }] } });
    expect(itemsCalls()).toEqual([]);
  });

  specCase(kind, [])('a variable reaches an entity fetch; left out, the argument’s default applies', async () => {
    const query = 'query ($c: String) { orders { item { price(currency: $c) } } }';
    expect((await federation.gateway.query(query, { c: 'USD' })).data).toEqual({
      orders: [{ item: { price: '12 USD' } }, { item: { price: '3 USD' } }],
    });
    expect((await federation.gateway.query(query, {})).data).toEqual({
      orders: [{ item: { price: '12 EUR' } }, { item: { price: '3 EUR' } }],
    });
  });

  specCase(kind, [])('@include decides whether the other subgraph is asked at all', async () => {
    const query = 'query ($p: Boolean!) { orders { id item { price @include(if: $p) } } }';
    itemsCalls().length = 0;
    expect((await federation.gateway.query(query, { p: false })).data).toEqual({
      orders: [
        { id: 'o1', item: {} },
        { id: 'o2', item: {} },
      ],
    });
    expect(itemsCalls()).toEqual([]);
    expect((await federation.gateway.query(query, { p: true })).data).toEqual({
      orders: [
        { id: 'o1', item: { price: '12 EUR' } },
        { id: 'o2', item: { price: '3 EUR' } },
      ],
    });
  });

  // Item.stock and Order.item are non-null: the null reaches `order`, the nearest nullable field
  specCase(kind, [])('a non-null violation in an entity nulls up to the nearest nullable ancestor only', async () => {
    const result = await federation.gateway.query('{ orders { id } order(id: "o9") { id item { stock } } }');
    expect(result.data).toEqual({ orders: [{ id: 'o1' }, { id: 'o2' }], order: null });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'Cannot return null for non-nullable field Item.stock.',
        path: ['order', 'item', 'stock'],
      }),
    ]);
  });

  specCase(kind, [])('a union over entities answers each member with its own subgraph’s fields', async () => {
    const result = await federation.gateway.query(
      '{ search(term: "t") { __typename ... on Item { id price } ... on Order { id item { name } } } }',
    );
    expect(result).toEqual({
      status: 200,
      data: {
        search: [
          { __typename: 'Item', id: 'it2', price: '3 EUR' },
          { __typename: 'Order', id: 'o1', item: { name: 'Tent' } },
        ],
      },
    });
  });
});
