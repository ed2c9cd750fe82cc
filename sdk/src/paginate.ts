import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { EventgraphClient, RequestOptions, Variables } from './client';

/** What every list that pages returns (Relay connections): edges of cursor + node, and where the page ends. */
export interface Connection<TNode> {
  edges: ReadonlyArray<{ cursor: string; node: TNode }>;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  totalCount?: number | null;
}

export interface Page<TNode, TConnection extends Connection<TNode> = Connection<TNode>> {
  nodes: TNode[];
  /** the page as the API returned it (edges with their own fields, pageInfo, totalCount) */
  connection: TConnection;
  /** 0-based */
  index: number;
}

export interface PaginateOptions extends RequestOptions {
  /** `first` of every request; default: what the variables say, else the API's default (20) */
  pageSize?: number;
  /** stop after this many pages even if there are more */
  maxPages?: number;
}

/** Nodes one by one (`for await … of`), or whole pages with `.pages()`. */
export interface PageIterator<TNode, TConnection extends Connection<TNode>> extends AsyncIterable<TNode> {
  pages(): AsyncIterableIterator<Page<TNode, TConnection>>;
  /** every node of every page, in order */
  all(): Promise<TNode[]>;
}

type NodeOf<C> = C extends Connection<infer N> ? N : never;

/**
 * Walks a Relay connection page by page: runs `document` with `first` and the
 * previous page's `endCursor` as `after` until `pageInfo.hasNextPage` is false.
 * One iterator for every list of the API, since they all page the same way:
 *
 *   for await (const event of paginate(client, SearchEventsDocument, { filter }, (d) => d.searchEvents)) …
 *
 * Nothing is fetched until iteration starts; leaving the loop fetches no more.
 */
export function paginate<
  TData,
  TVariables extends Variables & { first?: number | null; after?: string | null },
  TConnection extends Connection<any>,
>(
  client: EventgraphClient,
  document: TypedDocumentNode<TData, TVariables>,
  variables: Omit<TVariables, 'after'>,
  connectionOf: (data: TData) => TConnection | null | undefined,
  options: PaginateOptions = {},
): PageIterator<NodeOf<TConnection>, TConnection> {
  const { pageSize, maxPages = Infinity, ...requestOptions } = options;

  async function* pages(): AsyncIterableIterator<Page<NodeOf<TConnection>, TConnection>> {
    let after: string | null | undefined;
    for (let index = 0; index < maxPages; index++) {
      const pageVariables = {
        ...variables,
        ...(pageSize !== undefined ? { first: pageSize } : {}),
        ...(after ? { after } : {}),
      } as unknown as TVariables;
      const data = await (client.request as (d: unknown, v: unknown, o: RequestOptions) => Promise<TData>)(
        document,
        pageVariables,
        requestOptions,
      );
      const connection = connectionOf(data);
      if (!connection) return; // the parent object is gone (null): nothing to page through
      yield { nodes: connection.edges.map((edge) => edge.node), connection, index };
      const { hasNextPage, endCursor } = connection.pageInfo;
      if (!hasNextPage) return;
      if (!endCursor || endCursor === after)
        throw new Error('the connection says it has a next page but gives no new endCursor; select pageInfo { endCursor }');
      after = endCursor;
    }
  }

  async function* nodes(): AsyncIterableIterator<NodeOf<TConnection>> {
    for await (const page of pages()) yield* page.nodes;
  }

  return {
    pages,
    [Symbol.asyncIterator]: nodes,
    async all() {
      const all: NodeOf<TConnection>[] = [];
      for await (const node of nodes()) all.push(node);
      return all;
    },
  };
}
