export { createQueryExecutor, loadSupergraph, type LoadedSupergraph, type SubgraphTransport } from './query-executor';
export { executePrepared, type IncrementalDelivery, type SubsequentPayload } from './operation-execution';
export { httpTransport } from './http-transport';
export { SubgraphRequestError } from './plan-runner';
