import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSupergraph } from '@eventgraph/gateway';
import { forkWorker, runWorker } from '../common';
import { FIXTURES } from './subgraph-worker';

const SUBGRAPHS = ['accounts', 'inventory', 'products', 'reviews'];

/** Child processes started for a benchmark; killed together at its end. */
export const children: ChildProcess[] = [];
export const stopAll = () => children.forEach((child) => child.kill('SIGKILL'));

/** The four subgraphs, each in its own process, composed: the supergraph SDL (also in a file) and the nested query. */
export async function startBenchSupergraph() {
  const urls: Record<string, string> = {};
  for (const name of SUBGRAPHS) {
    const child = forkWorker('gateways/subgraph-worker.ts');
    children.push(child);
    urls[name] = (await runWorker<{ url: string }>(child, name)).url;
  }
  const composed = composeSupergraph(
    SUBGRAPHS.map((name) => ({ name, url: urls[name]!, sdl: readFileSync(join(FIXTURES, `${name}.graphql`), 'utf8') })),
  );
  if (!composed.ok) throw new Error(composed.errors.join('\n'));
  const supergraphFile = join(mkdtempSync(join(tmpdir(), 'gateways-')), 'supergraph.graphql');
  writeFileSync(supergraphFile, composed.supergraphSdl);
  return { supergraphSdl: composed.supergraphSdl, supergraphFile, query: readFileSync(join(FIXTURES, 'query.graphql'), 'utf8') };
}
