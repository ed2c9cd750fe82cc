import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ANONYMOUS, formatClientError, type Principal } from '@eventgraph/runtime';
import type { GraphQLFormattedError } from 'graphql';
import { loadGatewaySettings } from '../../src/settings';
import { DEFAULT_LIMITS, limitsForCaller, operationLimitsFromEnv, operationLimitsPlugin, resolveLimits } from '../../src/limits';
import { resolvers, typeDefs } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'limits-'));
function limitsFile(content: unknown): string {
  const path = join(dir, `limits-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('operation limits configured without code', () => {
  it('reads defaults and per-caller limits from the file EVENTGRAPH_OPERATION_LIMITS_FILE names', () => {
    const path = limitsFile({
      maxCost: 8000,
      maxDepth: 14,
      byCaller: { anonymous: { maxCost: 2000 }, service: { maxCost: 50000 } },
    });
    const limits = resolveLimits(operationLimitsFromEnv({ EVENTGRAPH_OPERATION_LIMITS_FILE: path }));
    expect(limitsForCaller(limits, 'user')).toMatchObject({ maxCost: 8000, maxDepth: 14, maxAliases: DEFAULT_LIMITS.maxAliases });
    expect(limitsForCaller(limits, 'anonymous')).toMatchObject({ maxCost: 2000, maxDepth: 14 });
    expect(limitsForCaller(limits, 'service').maxCost).toBe(50000);
    expect(limitsForCaller(limits, undefined).maxCost).toBe(8000);
  });

  it('lets EVENTGRAPH_MAX_COST and EVENTGRAPH_MAX_COST_<KIND> override the file', () => {
    const path = limitsFile({ byCaller: { apiKey: { maxCost: 3000, maxDepth: 8 } } });
    const limits = resolveLimits(
      operationLimitsFromEnv({
        EVENTGRAPH_OPERATION_LIMITS_FILE: path,
        EVENTGRAPH_MAX_COST: '6000',
        EVENTGRAPH_MAX_COST_API_KEY: '9000',
        EVENTGRAPH_MAX_COST_DEVICE: '700',
      }),
    );
    expect(limits.maxCost).toBe(6000);
    expect(limitsForCaller(limits, 'apiKey')).toMatchObject({ maxCost: 9000, maxDepth: 8 });
    expect(limitsForCaller(limits, 'device').maxCost).toBe(700);
    expect(limitsForCaller(limits, 'user').maxCost).toBe(6000);
  });

  it('refuses to start on a file with unknown keys or bad values, naming the file', () => {
    expect(() => operationLimitsFromEnv({ EVENTGRAPH_OPERATION_LIMITS_FILE: limitsFile({ maxCots: 1 }) })).toThrow(
      /limits-.*maxCots/s,
    );
    expect(() =>
      operationLimitsFromEnv({ EVENTGRAPH_OPERATION_LIMITS_FILE: limitsFile({ byCaller: { robot: { maxCost: 1 } } }) }),
    ).toThrow(/robot/);
    expect(() => operationLimitsFromEnv({ EVENTGRAPH_OPERATION_LIMITS_FILE: limitsFile({ maxCost: -5 }) })).toThrow(/maxCost/);
    expect(() => operationLimitsFromEnv({ EVENTGRAPH_MAX_COST_USER: 'lots' })).toThrow();
  });

  it('is part of the gateway settings, so a bad value stops the gateway at start', () => {
    expect(() => loadGatewaySettings({ EVENTGRAPH_MAX_COST: '0' })).toThrow(/EVENTGRAPH_MAX_COST/);
    expect(loadGatewaySettings({ EVENTGRAPH_MAX_COST_SERVICE: '90000' }).EVENTGRAPH_MAX_COST_SERVICE).toBe(90000);
  });
});

describe('operationLimitsPlugin picks the limits of the caller in context.principal', () => {
  let server: ApolloServer<{ principal: Principal }>;
  beforeAll(async () => {
    const limits = { maxCost: 50, byCaller: { service: { maxCost: 500 } } };
    server = new ApolloServer<{ principal: Principal }>({
      typeDefs,
      resolvers,
      formatError: (formatted, error) => formatClientError(formatted, error),
      plugins: [operationLimitsPlugin(limits)],
    });
    await server.start();
  });
  afterAll(() => server?.stop());

  const run = async (principal: Principal) => {
    // organizations(first: 10) costs 1 + 10 × 2 + …: over 50, under 500
    const query = '{ organizations(first: 10) { id name events(first: 2) { id } } }';
    const response = await server.executeOperation({ query }, { contextValue: { principal } });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult.errors as GraphQLFormattedError[] | undefined;
  };

  it('refuses an anonymous caller over its limit and lets a service through', async () => {
    const [refused] = (await run(ANONYMOUS)) ?? [];
    expect(refused?.extensions).toEqual({ code: 'OPERATION_TOO_COSTLY', cost: expect.any(Number), limit: 50 });
    expect(refused?.extensions?.cost).toBeGreaterThan(50);
    expect(await run({ ...ANONYMOUS, kind: 'service', id: 'events' } as Principal)).toBeUndefined();
  });
});
