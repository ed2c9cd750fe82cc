/**
 * Diagnostic, not part of `npm run bench`: our gateway in this process, the benchmark's subgraphs
 * and load in others, and a CPU profile of the gateway while the nested query runs at 50
 * connections: where its CPU per request goes, by package and by function.
 *
 *   npx tsx bench/src/gateways/profile.ts [seconds]
 */
import { startGateway } from '@eventgraph/gateway';
import { createBus, createLogger } from '@eventgraph/runtime';
import { forkWorker, ms, runWorker, summarize } from '../common';
import { cpuProfiler } from '../cpu-profile';
import type { LoadJob, LoadResult } from '../load-worker';
import { startBenchSupergraph, stopAll } from './setup';

async function main() {
  const seconds = Number(process.argv[2] ?? 10);
  const { supergraphSdl, query } = await startBenchSupergraph();
  const devToken = 'bench-dev-token';
  const gateway = await startGateway({
    supergraphSdl,
    port: 0,
    principalSecret: 'bench-principal-secret-0123456789abcdef',
    jwtSecret: 'bench-jwt-secret-0123456789abcdef012345',
    devToken,
    callerPolicies: { anonymous: undefined, user: undefined, apiKey: undefined, device: undefined, service: undefined },
    bus: await createBus({ kind: 'memory' }),
    logger: createLogger('gateway', 'silent'),
  });
  const worker = forkWorker('load-worker.ts');
  try {
    const job: LoadJob = {
      url: gateway.url,
      headers: { authorization: `Bearer ${devToken}` },
      bodies: [JSON.stringify({ query })],
      concurrency: 50,
      warmupMs: 2_000,
      durationMs: seconds * 1_000,
      expect: '"data"',
    };
    const profiler = await cpuProfiler();
    let cpu = process.cpuUsage();
    const result = await runWorker<LoadResult>(worker, job, (msg: { type?: string }) => {
      if (msg?.type !== 'measuring') return;
      cpu = process.cpuUsage();
      profiler.start();
    });
    const used = process.cpuUsage(cpu);
    const summary = await profiler.stop();
    const latency = summarize(result.latencies);
    console.log(
      `ours: ${Math.round(result.rps)} req/s, p50 ${ms(latency.p50)} ms, p99 ${ms(latency.p99)} ms, ` +
        `${ms((used.user + used.system) / 1000 / Math.max(1, result.requests), 2)} ms CPU/request (profiler on), ${result.errors} errors`,
    );
    console.log(summary);
  } finally {
    worker.kill();
    await gateway.stop();
  }
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(stopAll);
