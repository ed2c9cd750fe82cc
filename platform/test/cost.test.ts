import { startTestPlatform, type TestPlatform } from './support/test-platform';

// Operation limits per kind of caller come from the environment the gateway starts in.
const ENV = { EVENTGRAPH_MAX_COST_ANONYMOUS: '300', EVENTGRAPH_MAX_COST_SERVICE: '20000' };

let platform: TestPlatform;
beforeAll(async () => {
  Object.assign(process.env, ENV);
  platform = await startTestPlatform();
});
afterAll(async () => {
  for (const name of Object.keys(ENV)) delete process.env[name];
  await platform?.stop();
});

// a page of events: 1 (events) + 1 (edges) + first × (node, id, title); @listSize sizes edges by first
const page = (first: number) => `{ events(first: ${first}) { edges { node { id title } } } }`;

describe('operation cost at the real gateway', () => {
  it('gives each kind of caller its own limit', async () => {
    const small = await platform.request(page(50), undefined, { token: null });
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();

    const anonymous = await platform.request(page(100), undefined, { token: null });
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.data).toBeUndefined();
    const [error] = anonymous.body.errors ?? [];
    expect(error?.extensions).toMatchObject({ code: 'OPERATION_TOO_COSTLY', limit: 300 });
    expect(error?.extensions?.cost).toBeGreaterThan(300);

    const service = await platform.request(page(100)); // the development credential acts as a platform service
    expect(service.status).toBe(200);
    expect(service.body.errors).toBeUndefined();
  });

  it('applies the same per-kind limits to operations over graphql-ws', async () => {
    const run = (connectionParams?: Record<string, unknown>) =>
      new Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[]; data?: unknown }>((resolve) => {
        platform
          .wsClient(connectionParams)
          .subscribe(
            { query: page(100) },
            { next: (result) => resolve(result), error: (errors) => resolve({ errors: errors as never }), complete: () => {} },
          );
      });
    const anonymous = await run({});
    expect(anonymous.data).toBeUndefined();
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_TOO_COSTLY', limit: 300 });

    const service = await run(); // the development credential: a platform service, with its own limit
    expect(service.errors).toBeUndefined();
    expect(service.data).toMatchObject({ events: { edges: expect.any(Array) } });
  });
});
