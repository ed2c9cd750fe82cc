export * from './access-token';
export * from './authorization';
export * from './client-address';
export * from './calendar';
export * from './config';
export * from './errors';
export * from './input-hygiene';
export * from './state-machine';
export * from './live';
export * from './loaders';
export * from './lru-cache';
export * from './logger';
export * from './pagination';
export * from './relay-types';
export * from './principal';
export * from './scalars';
export * from './subgraph';
export * from './validation';
export * from './db';
export * from './bus';
export * from './metrics';
export * from './telemetry';
export { startSubgraphServer, type RequestContext, type RunningServer } from './server/subgraph-server';
export { handleGraphQLRequest, readBody, sendJson, graphqlErrorBody } from './server/apollo-http';
export { observabilityPlugin } from './server/observability-plugin';
export {
  DEFAULT_MAX_IN_FLIGHT,
  EVENT_LOOP_DELAY_SETTING,
  LoadShedder,
  OVERLOADED,
  overloadedBody,
  subgraphLoadSheddingFromEnv,
  type LoadSheddingSettings,
} from './server/load-shedder';
export { closeGracefully, listen, stopOnSignals } from './server/lifecycle';
export * from './time-zones';
export * from './categories';
export * from './net';
export * from './privacy';
export * from './retention';
export * from './periodic';
