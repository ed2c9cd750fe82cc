export { createQueryExecutor, loadSupergraph, type LoadedSupergraph, type SubgraphTransport } from './query-executor';
export { executePrepared, type IncrementalDelivery, type SubsequentPayload } from './operation-execution';
export { httpTransport, type HttpTransport } from './http-transport';
export { guardSettingsFromEnv, type GuardSettings } from './subgraph-guard';
export { SubgraphRequestError } from './plan-runner';
