import { printSubgraphSchema } from '@apollo/subgraph';
import { composeSupergraph, type CompositionResult, type SubgraphSdl } from '@eventgraph/gateway';
import { defaultSubgraphUrl, SUBGRAPHS } from './subgraphs';

/** Each subgraph's SDL as the gateway sees it, with the routing URL it has in the default layout. */
export function subgraphSdls(): SubgraphSdl[] {
  return SUBGRAPHS.map(({ definition, port }) => ({
    name: definition.name,
    url: defaultSubgraphUrl(port),
    sdl: printSubgraphSchema(definition.schema),
  }));
}

export const composePlatform = (): CompositionResult => composeSupergraph(subgraphSdls());
