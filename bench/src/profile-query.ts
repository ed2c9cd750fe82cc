/**
 * Diagnostic, not part of `npm run bench`: CPU-profiles the platform process (gateway + subgraphs)
 * while the forked load generator drives one query, and prints where the time goes, by package and
 * by function (self time).  npx tsx bench/src/profile-query.ts [federated|events-only|direct] [concurrency]
 */
import { Session } from 'node:inspector';
import { PRINCIPAL_HEADER, signPrincipal } from '@eventgraph/runtime';
import { createEvent, DEV_PRINCIPAL, forkWorker, runWorker, seedOrganization, startBenchPlatform, summarize } from './common';
import type { LoadJob, LoadResult } from './load-worker';
import { QUERIES } from './query-latency';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

function post(session: Session, method: string, params?: object): Promise<any> {
  return new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))),
  );
}

function bucket(url: string): string {
  if (!url) return '(native/gc/idle)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  const own = /\/work\/main\/([^/]+\/[^/]+)/.exec(url);
  if (own) return own[1]!;
  return url.startsWith('node:') ? 'node core' : url;
}

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
    const session = new Session();
    session.connect();
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 200 });
    const result = await runWorker<LoadResult>(worker, job, (msg) => {
      if (msg?.type === 'measuring') void post(session, 'Profiler.start');
    });
    const { profile } = (await post(session, 'Profiler.stop')) as { profile: { nodes: ProfileNode[] } };
    session.disconnect();
    const s = summarize(result.latencies);
    console.log(
      `${which} c=${concurrency}: ${result.rps.toFixed(0)} req/s, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, errors ${result.errors}`,
    );
    const total = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
    const byPackage = new Map<string, number>();
    const byFunction = new Map<string, number>();
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      const pkg = bucket(node.callFrame.url);
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
      const fn = `${node.callFrame.functionName || '(anonymous)'} ${pkg}${node.callFrame.url ? ':' + (node.callFrame.lineNumber + 1) : ''}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
    }
    const top = (m: Map<string, number>, n: number) =>
      [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, v]) => `  ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
        .join('\n');
    console.log(`self time by package:\n${top(byPackage, 20)}\n\nself time by function:\n${top(byFunction, 30)}`);
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
