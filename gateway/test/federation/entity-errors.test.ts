/**
 * Errors from entity fetches land at the response path of the entity they concern, keep the code the
 * subgraph gave them, and every null the client sees for a non-null field comes with an error. A
 * subgraph that cannot be reached costs only its fields, with a registered code and no internal detail.
 */
import { ERROR_CODES } from '@eventgraph/runtime/src/error-codes';
import { GATEWAY_KINDS, specCase, startFederation, type Federation } from './harness';
import { entityErrors } from './fixtures/entity-errors';

const registered = (code: unknown) => expect(Object.keys(ERROR_CODES)).toContain(code);

describe.each(GATEWAY_KINDS)('entity fetch errors: $name', (kind) => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation(kind, entityErrors);
  });
  afterAll(() => federation?.stop());
  const query = () => federation.gateway.query('{ orders { id item { name price } } }');

  specCase(kind, [])('a refused entity is null at its own path with the subgraph’s code; the others stay', async () => {
    const result = await query();
    expect(result.data?.orders).toEqual([
      { id: 'o1', item: { name: 'Tent', price: 120 } },
      { id: 'o2', item: null },
      { id: 'o3', item: null },
      { id: 'o4', item: null },
    ]);
    expect(result.errors).toContainEqual(
      expect.objectContaining({ path: ['orders', 1, 'item'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    );
  });

  specCase(kind, [])('a subgraph’s non-null violation is reported at the client’s path', async () => {
    const result = await query();
    expect(result.errors).toContainEqual(
      expect.objectContaining({
        message: 'Cannot return null for non-nullable field Item.name.',
        path: ['orders', 2, 'item', 'name'],
      }),
    );
  });

  // items has no i4: its name (String!) has no value, so the item is null — and the client must be told why
  specCase(kind, ['stock'])('an entity the owning subgraph lacks nulls a non-null field with an error', async () => {
    const result = await query();
    const error = result.errors?.find((e) => e.path?.[1] === 3);
    expect(error).toMatchObject({ path: ['orders', 3, 'item', 'name'] });
    registered(error?.extensions?.code);
  });

  specCase(kind, [])('error paths use the client’s aliases', async () => {
    const result = await federation.gateway.query('{ all: orders { id it: item { nm: name } } }');
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ['all', 1, 'it'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
        expect.objectContaining({ path: ['all', 2, 'it', 'nm'] }),
      ]),
    );
  });

  specCase(kind, [])('without non-null fields selected, refused and missing entities null only their fields', async () => {
    const result = await federation.gateway.query('{ orders { id item { price } } }');
    expect(result.data?.orders).toEqual([
      { id: 'o1', item: { price: 120 } },
      { id: 'o2', item: { price: null } },
      { id: 'o3', item: { price: 3 } },
      { id: 'o4', item: { price: null } },
    ]);
    expect(result.errors).toEqual([expect.objectContaining({ path: ['orders', 1, 'item'] })]);
  });
});

describe.each(GATEWAY_KINDS)('a subgraph that cannot be reached: $name', (kind) => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation(kind, entityErrors);
    await federation.subgraph('items').stop();
  });
  afterAll(() => federation?.stop());

  // stock answers "request to http://127.0.0.1:<port>/graphql failed, reason: connect ECONNREFUSED …"
  specCase(kind, ['stock'])('costs only its fields, with a registered code and no internal address', async () => {
    const result = await federation.gateway.query('{ orders { id item { price } } }');
    expect(result.data?.orders).toEqual(['o1', 'o2', 'o3', 'o4'].map((id) => ({ id, item: { price: null } })));
    expect(result.errors?.length).toBeGreaterThan(0);
    for (const error of result.errors ?? []) registered(error.extensions?.code);
    expect(JSON.stringify(result.errors)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
  });
});
