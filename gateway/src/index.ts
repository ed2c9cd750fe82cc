export { composeSupergraph, type CompositionResult, type SubgraphSdl } from './compose';
export { startGateway, subgraphUrls, type GatewayOptions, type RunningGateway } from './gateway';
export { runGatewayProgram, type GatewayProgramOptions } from './program';
