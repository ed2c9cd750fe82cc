/**
 * A supergraph the planner cannot plan an operation on (composed, then broken by hand): operators read
 * the planner's reason with the operation in the log; clients get a safe message and a stable code; the
 * operations the planner can plan go on working. A supergraph that cannot be loaded stops the start.
 */
import { createLogger } from '@eventgraph/runtime';
import { GATEWAY_KINDS, composeFixture, recordingLogger, specCase, startSubgraph, type GatewayUnderTest } from './harness';
import { multipleKeys } from './fixtures/multiple-keys';

const PLANNER_REASON = 'Was not able to find any options for stock';

async function fixtureSupergraph() {
  const subgraphs = await Promise.all(multipleKeys.map(startSubgraph));
  const supergraphSdl = composeFixture(multipleKeys.map((f, i) => ({ ...f, url: subgraphs[i]!.url })));
  return { subgraphs, supergraphSdl };
}

describe.each(GATEWAY_KINDS)('planner failures: $name', (kind) => {
  let fixture: Awaited<ReturnType<typeof fixtureSupergraph>>;
  let gateway: GatewayUnderTest;
  const log = recordingLogger();
  beforeAll(async () => {
    fixture = await fixtureSupergraph();
    // inventory can no longer resolve Product: `stock` is unreachable, though the supergraph still loads
    const broken = fixture.supergraphSdl.replace(
      '@join__type(graph: INVENTORY, key: "sku")',
      '@join__type(graph: INVENTORY, key: "sku", resolvable: false)',
    );
    expect(broken).not.toBe(fixture.supergraphSdl);
    gateway = await kind.start(broken, log.logger);
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(fixture?.subgraphs.map((s) => s.stop()) ?? []);
  });

  specCase(kind, ['stock'])('the client gets a safe message with QUERY_PLANNING_FAILED', async () => {
    const result = await gateway.query('{ reviews { product { stock } } }');
    expect(result.data ?? null).toBeNull();
    expect(result.errors).toEqual([expect.objectContaining({ extensions: { code: 'QUERY_PLANNING_FAILED' } })]);
    expect(JSON.stringify(result)).not.toContain(PLANNER_REASON);
  });

  specCase(kind, ['stock'])('the operator gets the planner’s reason with the operation in the log', async () => {
    log.lines.length = 0;
    await gateway.query('query LowStock { reviews { product { stock } } }');
    const logged = log.lines.filter((line) => (line.level as number) >= 50).map((line) => JSON.stringify(line));
    expect(logged).toEqual([expect.stringContaining(PLANNER_REASON)]);
    expect(logged[0]).toContain('LowStock');
  });

  specCase(kind, [])('operations the planner can plan are still answered', async () => {
    const result = await gateway.query('{ reviews { body product { name } } }');
    expect(result).toEqual({
      status: 200,
      data: {
        reviews: [
          { body: 'great tent', product: { name: 'Tent' } },
          { body: 'dim lamp', product: { name: 'Lamp' } },
        ],
      },
    });
  });
});

describe.each(GATEWAY_KINDS)('a supergraph that cannot be loaded: $name', (kind) => {
  let fixture: Awaited<ReturnType<typeof fixtureSupergraph>>;
  beforeAll(async () => {
    fixture = await fixtureSupergraph();
  });
  afterAll(() => Promise.all(fixture?.subgraphs.map((s) => s.stop()) ?? []));
  const silent = createLogger('gateway', 'silent');

  specCase(kind, [])('a key on a field its subgraph lacks stops the start, naming subgraph, type and field', async () => {
    const invalid = fixture.supergraphSdl.replace(
      '@join__type(graph: INVENTORY, key: "sku")',
      '@join__type(graph: INVENTORY, key: "upc")',
    );
    await expect(kind.start(invalid, silent)).rejects.toThrow(/\[inventory\] On type "Product", for @key\(fields: "upc"\)/);
  });

  // both refuse it, but with "not a valid GraphQL schema … Unknown directive @link", which hides the mistake
  specCase(kind, ['stock', 'eventgraph'])('a subgraph schema given as the supergraph stops the start, saying so', async () => {
    await expect(kind.start(multipleKeys[0]!.sdl, silent)).rejects.toThrow(/supergraph/i);
  });
});
