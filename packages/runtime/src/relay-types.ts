import '@pothos/plugin-federation'; // its `shareable` option on object types
import type { ArgBuilder, ObjectRef, SchemaTypes } from '@pothos/core';
import { PAGE_SIZE, type Connection, type Edge, type PageInfo } from './pagination';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the default Types, nothing added
type Plain = PothosSchemaTypes.ExtendDefaultTypes<{}>;

/** `shareable`: the same connection is declared by another subgraph too (a list of an entity both resolve). */
export interface ConnectionTypeOptions {
  shareable?: boolean;
  /** the count may be an estimate: adds `totalCountIsEstimate` (the Connection's, see pagination's estimatedCount) */
  estimatedCount?: boolean;
}

/**
 * The Relay connection types over the one paging convention (`pagination.ts`), for a subgraph's builder: every
 * paging subgraph declares PageInfo identically and shareable, so the supergraph has one.
 */
/** The cost directive (`@listSize`) of every paged field: a page holds at most `first` edges (its default when not given). */
const PAGE_LIST_SIZE = { slicingArguments: ['first'], sizedFields: ['edges'], requireOneSlicingArgument: false };

export function relayTypes<Types extends SchemaTypes>(subgraphBuilder: PothosSchemaTypes.SchemaBuilder<Types>) {
  // Pothos cannot type fields over a builder of unknown Types; these types touch nothing subgraph-specific
  // (no context, no custom scalars), so they are built over the default Types and handed back as the subgraph's.
  const builder = subgraphBuilder as unknown as PothosSchemaTypes.SchemaBuilder<Plain>;
  type Ref<T> = ObjectRef<Plain, T>;
  const PageInfoRef = builder.objectRef<PageInfo>('PageInfo').implement({
    shareable: true,
    description: 'Where a page of a connection stands: pass endCursor as `after` for the next page.',
    fields: (t) => ({
      hasNextPage: t.boolean({ resolve: (p) => p.hasNextPage }),
      hasPreviousPage: t.boolean({ resolve: (p) => p.hasPreviousPage }),
      startCursor: t.string({ nullable: true, resolve: (p) => p.startCursor }),
      endCursor: t.string({ nullable: true, resolve: (p) => p.endCursor }),
    }),
  });

  /** `XEdge { cursor node }` */
  const edgeType = <T>(
    name: string,
    nodeRef: ObjectRef<Types, T>,
    options: ConnectionTypeOptions = {},
  ): ObjectRef<Types, Edge<T>> =>
    builder.objectRef<Edge<T>>(`${name}Edge`).implement({
      ...options,
      fields: (t) => ({
        cursor: t.string({ resolve: (e) => e.cursor }),
        node: t.field({ type: nodeRef as unknown as Ref<T>, resolve: (e) => e.node as never }),
      }),
    }) as unknown as ObjectRef<Types, Edge<T>>;

  /** `XConnection { edges pageInfo totalCount }` over an edge type (a plain one from edgeType, or one with more fields). */
  const connectionOfEdges = <E extends { cursor: string }>(
    name: string,
    edgeRef: ObjectRef<Types, E>,
    options: ConnectionTypeOptions = {},
  ): ObjectRef<Types, Connection<E>> =>
    builder.objectRef<Connection<E>>(`${name}Connection`).implement({
      shareable: options.shareable,
      fields: (t) => ({
        edges: t.field({ type: [edgeRef as unknown as Ref<E>], resolve: (c) => c.edges as never }),
        pageInfo: t.field({ type: PageInfoRef, resolve: (c) => c.pageInfo }),
        totalCount: t.int({
          description: options.estimatedCount
            ? 'the whole list, whatever the page: exact when cheap to count, else an estimate (see totalCountIsEstimate)'
            : 'the whole list, whatever the page',
          resolve: (c) => c.totalCount(),
        }),
        ...(options.estimatedCount
          ? {
              totalCountIsEstimate: t.boolean({
                description: "true when totalCount is the database's estimate of a list too large to count cheaply",
                resolve: (c) => c.totalCountIsEstimate?.() ?? false,
              }),
            }
          : {}),
      }),
    }) as unknown as ObjectRef<Types, Connection<E>>;

  const connectionType = <T>(name: string, nodeRef: ObjectRef<Types, T>, options: ConnectionTypeOptions = {}) =>
    connectionOfEdges(name, edgeType(name, nodeRef, options), options);

  /** The arguments of every paged field: `first` and `after`. */
  const pageArgs = (subgraphArg: ArgBuilder<Types>) => {
    const arg = subgraphArg as unknown as ArgBuilder<Plain>;
    return {
      first: arg.int({ defaultValue: PAGE_SIZE.default, description: `1..${PAGE_SIZE.max}` }),
      after: arg.string({ description: "the endCursor of the page before (a cursor of this list's order)" }),
    } as unknown as { first: ReturnType<ArgBuilder<Types>['int']>; after: ReturnType<ArgBuilder<Types>['string']> };
  };

  return {
    PageInfoRef: PageInfoRef as unknown as ObjectRef<Types, PageInfo>,
    edgeType,
    connectionOfEdges,
    connectionType,
    pageArgs,
    pageListSize: PAGE_LIST_SIZE,
  };
}
