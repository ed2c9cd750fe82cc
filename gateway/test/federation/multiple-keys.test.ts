/**
 * Entities with several @key s: a subgraph that knows an entity by one key reaches a subgraph that
 * resolves it only by another through a third that resolves both, and the keys the gateway sends are
 * the entity's own, whatever names the client gives its fields.
 */
import { GATEWAY_KINDS, specCase, startFederation, type Federation } from './harness';
import { multipleKeys } from './fixtures/multiple-keys';

describe.each(GATEWAY_KINDS)('several @key s: $name', (kind) => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation(kind, multipleKeys);
  });
  afterAll(() => federation?.stop());

  specCase(kind, [])('reviews (id) → catalog (id, sku) → inventory (sku)', async () => {
    const result = await federation.gateway.query('{ reviews { body product { id sku name stock } } }');
    expect(result).toEqual({
      status: 200,
      data: {
        reviews: [
          { body: 'great tent', product: { id: 'p1', sku: 'SKU-1', name: 'Tent', stock: 7 } },
          { body: 'dim lamp', product: { id: 'p2', sku: 'SKU-2', name: 'Lamp', stock: 0 } },
        ],
      },
    });
    const inventory = federation.subgraph('inventory').received.at(-1);
    expect(inventory?.variables?.representations).toEqual([
      { __typename: 'Product', sku: 'SKU-1' },
      { __typename: 'Product', sku: 'SKU-2' },
    ]);
  });

  specCase(kind, [])('a @requires behind the second key, back through the first', async () => {
    const result = await federation.gateway.query('{ reviews { product { needsRestock } } }');
    expect(result).toEqual({
      status: 200,
      data: { reviews: [{ product: { needsRestock: false } }, { product: { needsRestock: true } }] },
    });
  });

  // the alias `id: sku` is merged over the key `id` the restock fetch sends: restock finds no product
  specCase(kind, ['stock'])(
    'a client alias named like a key field does not replace the key sent to the next subgraph',
    async () => {
      const result = await federation.gateway.query('{ reviews { product { id: sku needsRestock } } }');
      expect(result).toEqual({
        status: 200,
        data: {
          reviews: [{ product: { id: 'SKU-1', needsRestock: false } }, { product: { id: 'SKU-2', needsRestock: true } }],
        },
      });
    },
  );

  // the key field `sku` and the alias `sku: name` are merged into one field of the catalog fetch
  specCase(kind, ['stock'])('a client alias named like a key field keeps its own value', async () => {
    const result = await federation.gateway.query('{ productBySku(sku: "SKU-1") { sku: name stock } }');
    expect(result).toEqual({ status: 200, data: { productBySku: { sku: 'Tent', stock: 7 } } });
  });

  // stock nulls every product (its only error is in extensions.valueCompletion) and never asks inventory
  specCase(kind, ['stock'])('a client alias named __typename neither breaks the entity nor loses its value', async () => {
    const result = await federation.gateway.query('{ reviews { product { __typename: name stock } } }');
    expect(result).toEqual({
      status: 200,
      data: { reviews: [{ product: { __typename: 'Tent', stock: 7 } }, { product: { __typename: 'Lamp', stock: 0 } }] },
    });
  });

  // a subgraph answering null for a representation says it has no such entity: null without an error
  specCase(kind, [])('a product inventory does not carry has a null stock and keeps its other fields', async () => {
    const result = await federation.gateway.query('{ productBySku(sku: "SKU-3") { id name stock } }');
    expect(result).toEqual({ status: 200, data: { productBySku: { id: 'p3', name: 'Stove', stock: null } } });
  });
});
