import { PAGE_SIZE, type Connection, type Edge, type PageInfo } from '@eventgraph/runtime';
import type { ArgBuilder, ObjectRef } from '@pothos/core';
import { builder } from '../builder';

/**
 * The Relay connection types of this subgraph, over the runtime's one paging convention (`pagination.ts`): each
 * paging subgraph declares PageInfo identically and shareable, so the supergraph has one.
 */
type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

export const PageInfoRef = builder.objectRef<PageInfo>('PageInfo').implement({
  shareable: true,
  description: 'Where a page of a connection stands: pass endCursor as `after` for the next page.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage'),
    startCursor: t.exposeString('startCursor', { nullable: true }),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

/** `shareable`: the same connection is declared by another subgraph too (a list of an entity both resolve). */
interface Options {
  shareable?: boolean;
}

/** `XEdge { cursor node }` */
export const edgeType = <T>(name: string, nodeRef: ObjectRef<Types, T>, options: Options = {}) =>
  builder.objectRef<Edge<T>>(`${name}Edge`).implement({
    ...options,
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      node: t.field({ type: nodeRef, resolve: (e) => e.node as never }),
    }),
  });

/** `XConnection { edges pageInfo totalCount }` over an edge type (a plain one from edgeType, or one with more fields). */
export const connectionOfEdges = <E extends { cursor: string }>(
  name: string,
  edgeRef: ObjectRef<Types, E>,
  options: Options = {},
) =>
  builder.objectRef<Connection<E>>(`${name}Connection`).implement({
    ...options,
    fields: (t) => ({
      edges: t.field({ type: [edgeRef], resolve: (c) => c.edges as never }),
      pageInfo: t.field({ type: PageInfoRef, resolve: (c) => c.pageInfo }),
      totalCount: t.int({ description: 'the whole list, whatever the page', resolve: (c) => c.totalCount() }),
    }),
  });

export const connectionType = <T>(name: string, nodeRef: ObjectRef<Types, T>, options: Options = {}) =>
  connectionOfEdges(name, edgeType(name, nodeRef, options), options);

/** The arguments of every paged field: `first` and `after`. */
export const pageArgs = (arg: ArgBuilder<Types>) => ({
  first: arg.int({ defaultValue: PAGE_SIZE.default, description: `1..${PAGE_SIZE.max}` }),
  after: arg.string({ description: "the endCursor of the page before (a cursor of this list's order)" }),
});
