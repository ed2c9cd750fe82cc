import { accessSubgraph } from '@eventgraph/subgraph-access';
import { eventsSubgraph } from '@eventgraph/subgraph-events';
import { ingestSubgraph } from '@eventgraph/subgraph-ingest';
import { usersSubgraph } from '@eventgraph/subgraph-users';
import { DEFAULT_PORTS } from './roles';

/** The four subgraphs with their default ports (the gateway is on 4000). */
export const SUBGRAPHS = [
  { definition: usersSubgraph, port: DEFAULT_PORTS.users },
  { definition: eventsSubgraph, port: DEFAULT_PORTS.events },
  { definition: accessSubgraph, port: DEFAULT_PORTS.access },
  { definition: ingestSubgraph, port: DEFAULT_PORTS.ingest },
] as const;

export const defaultSubgraphUrl = (port: number) => `http://localhost:${port}/graphql`;
