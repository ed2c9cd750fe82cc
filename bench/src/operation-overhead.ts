/**
 * Per-request overhead of issue 12's checks (`npm run -w @eventgraph/bench bench:overhead`), in one process, no
 * network: (1) the gateway's operation-limits check (depth, aliases, directives, cost from the supergraph's
 * @listSize/@cost) for the gateways-benchmark nested query and every SDK operation, on first sight of a parsed
 * document and repeated (Apollo Server reuses the parsed document per query text); (2) tracing's cost per SQL
 * statement on an embedded PGlite, off, on outside a trace and on inside one (a span each, exported to a local
 * sink). Means over BENCH_OVERHEAD_ROUNDS rounds (default 3). The table goes into bench/RESULTS.md between
 * <!-- operation-overhead --> and <!-- /operation-overhead -->.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Supergraph } from '@apollo/federation-internals';
import { Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { startTracing, tracerFor } from '@eventgraph/runtime';
import { pgliteSql } from '../../packages/runtime/src/db/sql';
import { checkOperationLimits, readCostDirectives, resolveLimits, analyzeCost } from '../../gateway/src/limits';
import { fragmentsByName } from '../../gateway/src/limits/operation-shape';
import { composeSupergraph } from '../../gateway/src';
import { benchDir, machineInfo, writeResultsSection } from './common';

const ROUNDS = Number(process.env.BENCH_OVERHEAD_ROUNDS ?? 3);
const repo = join(benchDir, '..');

/** Mean µs per call of `run` over `calls`, after a warm-up; the best and worst round. */
async function time(calls: number, run: () => unknown | Promise<unknown>): Promise<[best: number, worst: number]> {
  for (let i = 0; i < Math.min(calls, 200); i++) await run();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await run();
    rounds.push(Number(process.hrtime.bigint() - started) / 1e3 / calls);
  }
  return [Math.min(...rounds), Math.max(...rounds)];
}

const operationsOf = (document: DocumentNode) =>
  document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);

async function limitsRows(): Promise<string[]> {
  const ourSdl = readFileSync(join(repo, 'gateway/supergraph.graphql'), 'utf8');
  const fixtures = join(repo, 'gateway/test/limits/fixtures/bench');
  const benchComposed = composeSupergraph(
    ['accounts', 'inventory', 'products', 'reviews'].map((name) => ({
      name,
      url: `http://${name}.invalid/graphql`,
      sdl: readFileSync(join(fixtures, `${name}.graphql`), 'utf8'),
    })),
  );
  if (!benchComposed.ok) throw new Error(`the benchmark fixtures do not compose: ${benchComposed.errors.join('; ')}`);
  // documents as clients send them: one operation each (the SDK's trusted-documents manifest)
  const sdkDocuments = Object.values(
    JSON.parse(readFileSync(join(repo, 'sdk/src/generated/trusted-documents.json'), 'utf8')) as Record<string, string>,
  );
  const cases = [
    {
      label: 'gateways-benchmark nested query',
      sdl: benchComposed.supergraphSdl,
      sources: [readFileSync(join(fixtures, 'query.graphql'), 'utf8')],
    },
    { label: 'SDK operations (mean per document)', sdl: ourSdl, sources: sdkDocuments },
  ];
  const rows: string[] = [];
  for (const { label, sdl, sources } of cases) {
    const schema = Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
    const limits = resolveLimits({ costDirectives: readCostDirectives(sdl), maxCost: Number.MAX_SAFE_INTEGER });
    const parseAll = () => sources.map((source) => parse(source));
    // a new document each time, as for a query text the gateway has not seen: nothing is cached for it
    const firstSight = await time(100, () => {
      for (const document of parseAll()) checkOperationLimits(schema, document, undefined, {}, limits);
    });
    const parseOnly = await time(100, parseAll);
    const kept = parseAll();
    const repeated = await time(20_000, () => {
      for (const document of kept) checkOperationLimits(schema, document, undefined, {}, limits);
    });
    const costs = kept.map((document) => {
      const [operation] = operationsOf(document);
      return analyzeCost(schema, operation!, fragmentsByName(document), {}, limits).cost;
    });
    const per = (µs: number) => µs / sources.length;
    rows.push(
      `| ${label} | ${sources.length} | ${Math.max(...costs)} | ${per(firstSight[0] - parseOnly[0]).toFixed(1)} | ${per(repeated[0]).toFixed(2)}–${per(repeated[1]).toFixed(2)} |`,
    );
  }
  return rows;
}

async function tracingRows(): Promise<string[]> {
  const pglite = new PGlite();
  await pglite.waitReady;
  const origin = { service: 'bench', namespace: 'bench' };
  const plain = pgliteSql(pglite, { statements: 0 });
  const traced = pgliteSql(pglite, { statements: 0 }, origin);
  const statement = (sql: typeof plain) => () => sql.query('SELECT 1');
  const sink = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('{}')));
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const rows: string[] = [];
  const row = (label: string, [best, worst]: [number, number]) =>
    rows.push(`| ${label} | ${best.toFixed(0)}–${worst.toFixed(0)} |`);
  try {
    row('no tracing code (baseline)', await time(10_000, statement(plain)));
    row('tracing off', await time(10_000, statement(traced)));
    const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    const tracing = startTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
    row('tracing on, outside a trace', await time(10_000, statement(traced)));
    row(
      'tracing on, inside a trace (a span each)',
      await tracerFor('bench').startActiveSpan('request', async (span) => {
        const measured = await time(10_000, statement(traced));
        span.end();
        return measured;
      }),
    );
    await tracing.shutdown();
  } finally {
    sink.close();
    await pglite.close();
  }
  return rows;
}

async function main() {
  const started = Date.now();
  const machine = machineInfo();
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
  const limits = await limitsRows();
  const tracing = await tracingRows();
  const section = [
    `Measured on ${new Date().toISOString()} (took ${Math.round((Date.now() - started) / 1000)} s) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average at start ${load}; best–worst of ${ROUNDS} rounds.`,
    '',
    '| documents | count | costliest estimate | limits check, first sight of a document, µs per document (parse excluded) | repeated, µs per document |',
    '|---|---:|---:|---:|---:|',
    ...limits,
    '',
    '| `SELECT 1` on embedded PGlite | µs per statement |',
    '|---|---:|',
    ...tracing,
  ].join('\n');
  console.log(section);
  writeResultsSection('operation-overhead', section);
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
