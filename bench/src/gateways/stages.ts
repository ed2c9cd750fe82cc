/**
 * Where a gateway's CPU goes for the benchmark's nested query, stage by stage, without the network:
 * the subgraphs' answers are recorded once from the real subgraphs and replayed (parsed from their
 * text, as a real answer is), so only the gateway's own work is timed. Stock @apollo/gateway's
 * executor (`executeQueryPlan` and its result shaping) is timed the same way, on the same plan and
 * answers: the "before". Writes the `gateway-stages` block of bench/RESULTS.md.
 *
 *   npm run -w @eventgraph/bench bench:gateway-stages
 */
import { parse, print, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { buildOperationContext, executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { subgraphUrls } from '@eventgraph/gateway';
import { loadSupergraph } from '@eventgraph/gateway/src/execution';
import { EntityBatcher, type SendToSubgraph } from '@eventgraph/gateway/src/execution/entity-batcher';
import { runPlanNode, type PlanRun } from '@eventgraph/gateway/src/execution/plan-runner';
import { prepareOperation, type PreparedOperation } from '@eventgraph/gateway/src/execution/prepared-operation';
import { shapeResponse } from '@eventgraph/gateway/src/execution/result-shaper';
import { machineInfo, writeResultsSection } from '../common';
import { startBenchSupergraph, stopAll } from './setup';

const ITERATIONS = Number(process.env.ITERATIONS ?? 2_000);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function post(url: string, body: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return response.text();
}

/** CPU µs per call of `fn`, after a warm-up of a quarter as many calls. */
async function cpuMicros(fn: () => unknown): Promise<number> {
  for (let i = 0; i < ITERATIONS / 4; i++) await fn();
  const start = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / ITERATIONS;
}

/**
 * Answers each subgraph request from its recorded text, sent for real the first time it is seen
 * (which fetches go merged depends on timing, so a replayed run may ask something new).
 */
function replaying(urls: Record<string, string>) {
  const answers = new Map<string, string>();
  let misses = 0;
  return {
    async answer(service: string, body: string): Promise<unknown> {
      const key = `${service}\n${body}`;
      let text = answers.get(key);
      if (text === undefined) {
        misses++;
        answers.set(key, (text = await post(urls[service]!, body)));
      }
      return JSON.parse(text);
    },
    misses: () => misses,
  };
}

async function ours(
  supergraphSdl: string,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  urls: Record<string, string>,
) {
  const supergraph = loadSupergraph(supergraphSdl, silent);
  const prepareMicros = await cpuMicros(() => prepareOperation(supergraph, document, operation));
  const prepared = prepareOperation(supergraph, document, operation) as PreparedOperation;
  const answers = replaying(urls);
  const send: SendToSubgraph = (service, request) => answers.answer(service, JSON.stringify(request)) as never;
  const runPlan = async () => {
    // no waiting for answers in flight: replayed answers arrive at once
    const batcher = new EntityBatcher(send, 0);
    const run: PlanRun = { data: {}, errors: [], variables: {}, matches: supergraph.matches, send: batcher.send, batcher };
    await runPlanNode(run, prepared.plan.node as never);
    return run;
  };
  for (let i = 0; i < 20; i++) await runPlan();
  const { data } = await runPlan();
  const shape = () =>
    shapeResponse(prepared.shape, prepared.rootTypeName, data, {
      variables: {},
      errors: [],
      introspect: () => null,
      explained: () => false,
    });
  const result = { data: shape() };
  return {
    prepareMicros,
    planMicros: await cpuMicros(runPlan),
    shapeMicros: await cpuMicros(shape),
    stringifyMicros: await cpuMicros(() => JSON.stringify(result)),
    answer: result,
  };
}

async function stock(supergraphSdl: string, document: DocumentNode, urls: Record<string, string>) {
  const supergraph = Supergraph.build(supergraphSdl);
  const apiSchema = supergraph.apiSchema();
  const graphqlApiSchema = apiSchema.toGraphQLJSSchema();
  const planner = new QueryPlanner(supergraph);
  const plan = planner.buildQueryPlan(operationFromDocument(apiSchema, document));
  const operationContext = buildOperationContext({ schema: graphqlApiSchema, operationDocument: document });
  const answers = replaying(urls);
  const services: ServiceMap = Object.fromEntries(
    Object.keys(urls).map((service): [string, GraphQLDataSource] => [
      service,
      {
        async process({ request }) {
          const body = JSON.stringify({
            query: request.query,
            variables: request.variables,
            operationName: request.operationName,
          });
          return answers.answer(service, body) as never;
        },
      },
    ]),
  );
  const requestContext = {
    request: { variables: {} },
    context: {},
    logger: silent,
    metrics: {},
    schema: graphqlApiSchema,
    operation: operationContext.operation,
    operationName: operationContext.operation.name?.value ?? null,
  } as unknown as Parameters<typeof executeQueryPlan>[2];
  const execute = () =>
    executeQueryPlan(plan, services, requestContext, operationContext, supergraph.schema.toGraphQLJSSchema(), apiSchema);
  await execute();
  const result = await execute();
  return {
    executeMicros: await cpuMicros(execute),
    stringifyMicros: await cpuMicros(() => JSON.stringify({ data: result.data })),
    answer: { data: result.data },
  };
}

async function main() {
  const { supergraphSdl, query } = await startBenchSupergraph();
  const urls = subgraphUrls(supergraphSdl);
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const after = await ours(supergraphSdl, document, operation, urls);
  const before = await stock(supergraphSdl, document, urls);
  const [a, b] = [JSON.stringify(after.answer), JSON.stringify(before.answer)];
  if (a !== b) {
    const at = [...a].findIndex((c, i) => c !== b[i]);
    throw new Error(
      `the executors answer differently at ${at}: ours …${a.slice(Math.max(0, at - 80), at + 80)}… stock …${b.slice(Math.max(0, at - 80), at + 80)}…`,
    );
  }
  const machine = machineInfo();
  const ms = (micros: number) => (micros / 1000).toFixed(2);
  const section = [
    `Measured on ${new Date().toISOString()} on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; CPU per request over ${ITERATIONS} runs of the nested query (${print(operation).length} characters, ${Math.round(JSON.stringify(after.answer).length / 1024)} KB answer), subgraph answers replayed from their recorded text.`,
    '',
    '| stage | stock @apollo/gateway executor, ms | our executor, ms |',
    '|---|---:|---:|',
    `| plan the operation and compile its result shape (once per operation, then cached) | – | ${ms(after.prepareMicros)} |`,
    `| run the plan: request bodies, answer parsing, representations, merging | ${ms(before.executeMicros)} (with shaping) | ${ms(after.planMicros)} |`,
    `| shape the result to the client's selection | (in the line above) | ${ms(after.shapeMicros)} |`,
    `| the executor in all (per request) | **${ms(before.executeMicros)}** | **${ms(after.planMicros + after.shapeMicros)}** |`,
    `| JSON of the answer (Apollo Server writes it) | ${ms(before.stringifyMicros)} | ${ms(after.stringifyMicros)} |`,
  ].join('\n');
  console.log(section);
  writeResultsSection('gateway-stages', section);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(stopAll);
