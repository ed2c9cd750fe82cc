/**
 * The gateway in a process of its own, in front of subgraphs running elsewhere (as production runs
 * it): forked by a benchmark, it starts on a free port with the settings it is sent and answers
 * with its URL. Its bus is its own (in memory): it serves the benchmark's requests, not live events.
 */
import { startGateway, type GatewayOptions } from '@eventgraph/gateway';
import { createBus, createLogger } from '@eventgraph/runtime';

export type GatewayJob = Pick<
  GatewayOptions,
  'supergraphSdl' | 'subgraphUrls' | 'principalSecret' | 'jwtSecret' | 'devToken' | 'callerPolicies' | 'shareInflightQueries'
>;

if (require.main === module && process.send) {
  process.once('message', (job: GatewayJob) => {
    void (async () => {
      const gateway = await startGateway({
        ...job,
        port: 0,
        host: '127.0.0.1',
        bus: await createBus({ kind: 'memory' }),
        logger: createLogger('gateway', 'silent'),
      });
      process.send!({ type: 'result', result: { url: gateway.url } });
    })().catch((err: unknown) => process.send!({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
  });
}
