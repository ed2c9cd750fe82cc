import type { SubgraphGuard } from './execution/subgraph-guard';

export interface Readiness {
  ready: boolean;
  status: 'ready' | 'not ready' | 'stopping';
  /** each subgraph: `up`, `down` (it does not answer GraphQL) or `circuit open` (it kept failing requests) */
  subgraphs: Record<string, 'up' | 'down' | 'circuit open'>;
}

const PROBE_TIMEOUT_MS = 1_000;
/** a load balancer asks often: subgraphs are probed at most this often */
const PROBE_EVERY_MS = 2_000;

/**
 * `/ready`: the gateway takes traffic when it is not stopping and every subgraph answers GraphQL
 * and has no open circuit. Probes are shared by concurrent checks and reused for two seconds.
 */
export function readinessCheck(
  urls: Readonly<Record<string, string>>,
  guards: ReadonlyMap<string, SubgraphGuard>,
  stopping: () => boolean,
): () => Promise<Readiness> {
  let probed: { at: number; result: Promise<Record<string, boolean>> } | undefined;
  // any GraphQL answer to `{ __typename }` (even a refusal of the unsigned request) means the subgraph serves
  const probe = async (url: string) => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      const body = (await response.json()) as { data?: unknown; errors?: unknown };
      return body.data !== undefined || Array.isArray(body.errors);
    } catch {
      return false;
    }
  };
  const probeAll = async () =>
    Object.fromEntries(await Promise.all(Object.entries(urls).map(async ([name, url]) => [name, await probe(url)] as const)));

  return async () => {
    if (stopping()) return { ready: false, status: 'stopping', subgraphs: {} };
    if (!probed || Date.now() - probed.at > PROBE_EVERY_MS) probed = { at: Date.now(), result: probeAll() };
    const healthy = await probed.result;
    const subgraphs = Object.fromEntries(
      Object.keys(urls).map(
        (name) => [name, guards.get(name)?.state === 'open' ? 'circuit open' : healthy[name] ? 'up' : 'down'] as const,
      ),
    );
    const ready = Object.values(subgraphs).every((state) => state === 'up');
    return { ready, status: ready ? 'ready' : 'not ready', subgraphs };
  };
}
