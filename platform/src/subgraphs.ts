import { accessSubgraph } from '@eventgraph/subgraph-access';
import { eventsSubgraph } from '@eventgraph/subgraph-events';
import { ingestSubgraph } from '@eventgraph/subgraph-ingest';
import { usersSubgraph } from '@eventgraph/subgraph-users';

/** The four subgraphs with their default ports (the gateway is on 4000). */
export const SUBGRAPHS = [
  { definition: usersSubgraph, port: 4001 },
  { definition: eventsSubgraph, port: 4002 },
  { definition: accessSubgraph, port: 4003 },
  { definition: ingestSubgraph, port: 4004 },
] as const;

export const defaultSubgraphUrl = (port: number) => `http://localhost:${port}/graphql`;
