import { relayTypes } from '@eventgraph/runtime';
import { builder } from '../builder';

/** This subgraph's Relay connection types, over the runtime's one paging convention. */
export const { PageInfoRef, edgeType, connectionOfEdges, connectionType, pageArgs } = relayTypes(builder);

/** The cost directive of a paged field: a page holds at most `first` edges (its default when not given). */
export const pageListSize = { slicingArguments: ['first'], sizedFields: ['edges'], requireOneSlicingArgument: false };
