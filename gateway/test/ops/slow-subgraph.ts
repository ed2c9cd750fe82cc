/**
 * For load tests on the real gateway: a real runtime subgraph server whose `slow` field waits until the
 * test releases it, so requests stay in flight as long as the test looks, and a gateway in front of it.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createLogger, createMetricsRegistry, startSubgraphServer, type RunningServer } from '@eventgraph/runtime';
import { startGateway } from '../../src/gateway';
import type { GatewayOptions } from '../../src/gateway-options';
import type { OverloadSettings } from '../../src/overload-settings';
import { FEDERATION_LINK, composeFixture } from '../federation/harness';

const SECRET = 'load-shedding-principal-secret-0123456789';
/** a platform service: no rate limit in the way */
export const DEV_TOKEN = 'load-shedding-dev-token';
const SDL = `${FEDERATION_LINK(['@key'])} type Query { slow: String fast: String } type Mutation { slowWrite: String fastWrite: String }`;
const silent = createLogger('load-shedding-test', 'silent');

/** `maxInFlight`: the subgraph's own bound (0: none). */
export async function startSlowSubgraph(maxInFlight: number) {
  let open = () => {};
  let gate!: Promise<void>;
  const shut = () => void (gate = new Promise((resolve) => (open = resolve)));
  shut();
  let waiting = 0;
  const slow = async () => {
    waiting++;
    await gate;
    waiting--;
    return 'done';
  };
  const metrics = createMetricsRegistry('slow', { processMetrics: false });
  const server: RunningServer = await startSubgraphServer({
    name: 'slow',
    schema: buildSubgraphSchema({
      typeDefs: parse(SDL),
      resolvers: { Query: { slow, fast: () => 'fast' }, Mutation: { slowWrite: slow, fastWrite: () => 'written' } },
    }),
    port: 0,
    principalSecret: SECRET,
    logger: silent,
    createContext: (base) => base,
    metrics,
    loadShedding: { maxInFlight, maxEventLoopDelayMs: 0 },
  });
  return {
    server,
    metrics: () => fetch(new URL('/metrics', server.url)).then((r) => r.text()),
    /** `slow` fields (and `slowWrite` mutations) waiting to be released */
    waiting: () => waiting,
    /** lets every waiting `slow` field answer; later ones wait again */
    release: () => {
      open();
      shut();
    },
  };
}
export type SlowSubgraph = Awaited<ReturnType<typeof startSlowSubgraph>>;

export function startGatewayBefore(
  subgraph: SlowSubgraph,
  overload: Partial<OverloadSettings>,
  more: Partial<GatewayOptions> = {},
) {
  return startGateway({
    supergraphSdl: composeFixture([{ name: 'slow', sdl: SDL, url: subgraph.server.url }]),
    port: 0,
    principalSecret: SECRET,
    jwtSecret: 'load-shedding-jwt-secret-0123456789abcdef',
    devToken: DEV_TOKEN,
    publishedDocuments: new Map(),
    connectionRevalidationMs: 0,
    overload,
    logger: silent,
    ...more,
  });
}
