import { relayTypes } from '@eventgraph/runtime';
import { builder } from '../builder';

/** This subgraph's Relay connection types, over the runtime's one paging convention. */
export const { PageInfoRef, edgeType, connectionOfEdges, connectionType, pageArgs, pageListSize } = relayTypes(builder);
