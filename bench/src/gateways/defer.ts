/**
 * @defer's time to first payload through our gateway on the benchmark's subgraphs: the nested
 * query's `topProducts` with their reviews deferred, read as multipart/mixed; against the same
 * query without @defer. Sequential requests (one at a time), so the times are latencies, not load.
 * Writes the `defer` block of bench/RESULTS.md.
 *
 *   npm run -w @eventgraph/bench bench:defer
 */
import { request } from 'node:http';
import { startGateway } from '@eventgraph/gateway';
import { createBus, createLogger } from '@eventgraph/runtime';
import { machineInfo, ms, summarize, writeResultsSection } from '../common';
import { startBenchSupergraph, stopAll } from './setup';

const REQUESTS = Number(process.env.REQUESTS ?? 300);
const REVIEWS =
  'reviews { id body author { id username name reviews { id body product { upc name price weight inStock shippingEstimate } } } }';
const DEFERRED = `query Deferred { topProducts { upc name price weight inStock shippingEstimate ... @defer { ${REVIEWS} } } }`;
const WHOLE = `query Whole { topProducts { upc name price weight inStock shippingEstimate ${REVIEWS} } }`;

/** Milliseconds until the first part (or the whole body when it is not multipart), and until the end. */
function timed(url: URL, token: string, query: string): Promise<{ first: number; all: number; parts: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query });
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'multipart/mixed;deferSpec=20220824, application/json',
          authorization: `Bearer ${token}`,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        let first: number | undefined;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          // the initial part is complete once the boundary after it has arrived (the gateway sends it at once)
          if (first === undefined && text.indexOf('\r\n---', 5) > 0) first = performance.now() - started;
        });
        res.on('end', () => {
          const all = performance.now() - started;
          if (res.statusCode !== 200 || text.includes('"errors"')) return reject(new Error(text.slice(0, 300)));
          resolve({ first: first ?? all, all, parts: Math.max(1, text.split('\r\n---\r\n').length - 1) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const { supergraphSdl } = await startBenchSupergraph();
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
  try {
    const url = new URL(gateway.url);
    const rows: string[] = [];
    for (const [label, query] of [
      ['without @defer (one JSON answer)', WHOLE],
      ['reviews deferred (multipart/mixed)', DEFERRED],
    ] as const) {
      for (let i = 0; i < 30; i++) await timed(url, devToken, query);
      const samples = [];
      for (let i = 0; i < REQUESTS; i++) samples.push(await timed(url, devToken, query));
      const first = summarize(samples.map((s) => s.first));
      const all = summarize(samples.map((s) => s.all));
      rows.push(
        `| ${label} | ${samples[0]!.parts} | ${ms(first.p50, 2)} | ${ms(first.p99, 2)} | ${ms(all.p50, 2)} | ${ms(all.p99, 2)} |`,
      );
    }
    const machine = machineInfo();
    const section = [
      `Measured on ${new Date().toISOString()} on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${REQUESTS} sequential requests each, through our gateway to the benchmark's four subgraphs: \`topProducts\` (products, inventory) with their reviews, authors and the authors' reviews' products (reviews, accounts, products, inventory).`,
      '',
      '| query | parts | first payload p50 ms | first payload p99 ms | whole answer p50 ms | whole answer p99 ms |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n');
    console.log(section);
    writeResultsSection('defer', section);
  } finally {
    await gateway.stop();
  }
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(stopAll);
