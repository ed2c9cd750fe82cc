/**
 * Client aliases through fragments, directives, lists and abstract types: the shapes a gateway that
 * renames client fields internally (to keep them apart from key and @requires fields) must give back
 * exactly as the client named them.
 */
import { GATEWAY_KINDS, specCase, startFederation, type Federation } from './harness';
import { interfaceObject } from './fixtures/interface-object';
import { multipleKeys } from './fixtures/multiple-keys';

describe.each(GATEWAY_KINDS)('client aliases: $name', (kind) => {
  let products: Federation;
  let media: Federation;
  beforeAll(async () => {
    [products, media] = await Promise.all([startFederation(kind, multipleKeys), startFederation(kind, interfaceObject)]);
  });
  afterAll(() => Promise.all([products?.stop(), media?.stop()]));

  specCase(kind, [])('one alias from two fragments is one field', async () => {
    const result = await products.gateway.query(
      '{ productBySku(sku: "SKU-1") { ...A ...B } } fragment A on Product { label: name stock } fragment B on Product { label: name }',
    );
    expect(result).toEqual({ status: 200, data: { productBySku: { label: 'Tent', stock: 7 } } });
  });

  specCase(kind, [])('a fragment with aliases spread at two depths, across subgraphs', async () => {
    const result = await products.gateway.query(
      '{ reviews { product { ...P } } productBySku(sku: "SKU-2") { ...P } } fragment P on Product { n: name s: stock }',
    );
    expect(result.data).toEqual({
      reviews: [{ product: { n: 'Tent', s: 7 } }, { product: { n: 'Lamp', s: 0 } }],
      productBySku: { n: 'Lamp', s: 0 },
    });
  });

  specCase(kind, [])('an aliased field under @include is there exactly when included', async () => {
    const query = 'query ($x: Boolean!) { productBySku(sku: "SKU-1") { n: name @include(if: $x) sku } }';
    expect((await products.gateway.query(query, { x: false })).data).toEqual({ productBySku: { sku: 'SKU-1' } });
    expect((await products.gateway.query(query, { x: true })).data).toEqual({ productBySku: { n: 'Tent', sku: 'SKU-1' } });
  });

  specCase(kind, [])('aliases on an entity in a list and on its fields from two subgraphs', async () => {
    const result = await products.gateway.query('{ reviews { r: product { sk: sku st: stock } } }');
    expect(result.data).toEqual({ reviews: [{ r: { sk: 'SKU-1', st: 7 } }, { r: { sk: 'SKU-2', st: 0 } }] });
  });

  specCase(kind, [])('one response name, another field in another place', async () => {
    const result = await products.gateway.query('{ productBySku(sku: "SKU-1") { id: sku } reviews { product { id } } }');
    expect(result.data).toEqual({
      productBySku: { id: 'SKU-1' },
      reviews: [{ product: { id: 'p1' } }, { product: { id: 'p2' } }],
    });
  });

  // `stock` is also what needsRestock @requires: the client's names must not feed the requirement
  specCase(kind, [])('two fields swapping names, one of them a requirement of the other', async () => {
    const result = await products.gateway.query('{ reviews { product { stock: needsRestock needsRestock: stock } } }');
    expect(result.data).toEqual({
      reviews: [{ product: { stock: false, needsRestock: 7 } }, { product: { stock: true, needsRestock: 0 } }],
    });
  });

  specCase(kind, [])('one alias for other fields of exclusive types', async () => {
    const result = await media.gateway.query('{ media { ... on Book { creator: author } ... on Movie { creator: director } } }');
    expect(result).toEqual({ status: 200, data: { media: [{ creator: 'Herbert' }, { creator: 'Scott' }] } });
  });

  specCase(kind, ['stock'])('an alias of __typename named like the key field leaves the key alone', async () => {
    const result = await products.gateway.query('{ reviews { product { id: __typename needsRestock } } }');
    expect(result.data).toEqual({
      reviews: [{ product: { id: 'Product', needsRestock: false } }, { product: { id: 'Product', needsRestock: true } }],
    });
  });
});
