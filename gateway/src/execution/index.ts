export {
  createQueryExecutor,
  executePrepared,
  loadSupergraph,
  type LoadedSupergraph,
  type SubgraphTransport,
} from './query-executor';
export { httpTransport } from './http-transport';
export { SubgraphRequestError } from './plan-runner';
