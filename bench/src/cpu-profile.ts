/**
 * A V8 CPU profile of this process (the platform: gateway and subgraphs) while a load runs, summed
 * by package and by function (self time), for finding where a benchmark's CPU goes.
 */
import { Session } from 'node:inspector';

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
  const own = /\/(packages|subgraphs|gateway|platform|bench)\/([^/]+)\//.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url.startsWith('node:') ? 'node core' : url;
}

export interface CpuProfiler {
  /** starts sampling (call when the measured part of the load begins) */
  start(): void;
  /** stops sampling and returns the summary as text */
  stop(): Promise<string>;
}

export async function cpuProfiler(): Promise<CpuProfiler> {
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 200 });
  let started: Promise<unknown> | undefined;
  return {
    start() {
      started ??= post(session, 'Profiler.start');
    },
    async stop() {
      await started;
      const { profile } = (await post(session, 'Profiler.stop')) as { profile: { nodes: ProfileNode[] } };
      session.disconnect();
      return summarize(profile.nodes);
    },
  };
}

function summarize(nodes: ProfileNode[]): string {
  const total = nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of nodes) {
    const hits = node.hitCount ?? 0;
    const pkg = bucket(node.callFrame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
    const file = node.callFrame.url.split('/').pop();
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${pkg}${file ? ` ${file}:${node.callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `self time by package:\n${top(byPackage, 20)}\n\nself time by function:\n${top(byFunction, 45)}`;
}
