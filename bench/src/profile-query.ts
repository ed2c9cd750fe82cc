/**
 * Diagnostic, not part of `npm run bench`: CPU-profiles the platform process (gateway + subgraphs)
 * while the forked load generator drives one query, and prints where the time goes, by package and
 * by function (self time).  npx tsx bench/src/profile-query.ts [federated|events-only|direct] [concurrency]
 */
import { PRINCIPAL_HEADER, signPrincipal } from '@eventgraph/runtime';
import { createEvent, DEV_PRINCIPAL, forkWorker, runWorker, seedOrganization, startBenchPlatform, summarize } from './common';
import type { LoadJob, LoadResult } from './load-worker';
import { QUERIES } from './query-latency';
import { cpuProfiler } from './cpu-profile';

async function main() {
  const which = (process.argv[2] ?? 'federated') as 'federated' | 'events-only' | 'direct';
  const concurrency = Number(process.argv[3] ?? 16);
  const platform = await startBenchPlatform('memory');
  const worker = forkWorker('load-worker.ts');
  try {
    const tag = Math.random().toString(36).slice(2, 8);
    const { venue } = await seedOrganization(platform, tag);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(await createEvent(platform, venue.id, `Bench Event ${i}`, `bench-event-${tag}-${i}`));
    const query = which === 'federated' ? QUERIES.gatewayFederated : QUERIES.eventsOnly;
    const job: LoadJob = {
      url: which === 'direct' ? platform.subgraphs.events!.url : platform.gateway.url,
      headers:
        which === 'direct'
          ? { [PRINCIPAL_HEADER]: signPrincipal(DEV_PRINCIPAL, platform.settings.EVENTGRAPH_PRINCIPAL_SECRET, 3600) }
          : { authorization: `Bearer ${platform.devToken}` },
      bodies: ids.map((id) => JSON.stringify({ query, variables: { id } })),
      concurrency,
      warmupMs: 2000,
      durationMs: 5000,
      expect: '"data"',
    };
    const profiler = await cpuProfiler();
    const result = await runWorker<LoadResult>(worker, job, (msg) => {
      if (msg?.type === 'measuring') profiler.start();
    });
    const summary = await profiler.stop();
    const s = summarize(result.latencies);
    console.log(
      `${which} c=${concurrency}: ${result.rps.toFixed(0)} req/s, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, errors ${result.errors}`,
    );
    console.log(summary);
  } finally {
    worker.kill();
    await platform.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
