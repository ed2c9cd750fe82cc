import { badInput, parseId } from '@eventgraph/runtime';
import type { ObjectRef } from '@pothos/core';
import { builder } from '../builder';

/**
 * Relay connections of ingest's lists (runs of a source, the moderation queue): one shape, one cursor. A list is
 * read in a fixed order of (instant, id); a cursor is its last row's pair, so pages hold still while rows arrive.
 */
export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  hasNextPage: boolean;
  totalCount: number;
}

type IngestTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

export function connectionType<T>(name: string, nodeRef: ObjectRef<IngestTypes, T>) {
  const edge = builder.objectRef<Connection<T>['edges'][number]>(`${name}Edge`).implement({
    fields: (t) => ({ cursor: t.exposeString('cursor'), node: t.field({ type: nodeRef, resolve: (e) => e.node as never }) }),
  });
  const pageInfo = builder.objectRef<Connection<T>>(`${name}PageInfo`).implement({
    fields: (t) => ({
      hasNextPage: t.exposeBoolean('hasNextPage'),
      endCursor: t.string({ nullable: true, resolve: (c) => c.edges.at(-1)?.cursor ?? null }),
    }),
  });
  return builder.objectRef<Connection<T>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.field({ type: [edge], resolve: (c) => c.edges }),
      pageInfo: t.field({ type: pageInfo, resolve: (c) => c }),
      totalCount: t.exposeInt('totalCount'),
    }),
  });
}

export const MAX_PAGE = 100;

/** `first`, checked: 1..MAX_PAGE */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) throw badInput('first', `must be 1..${MAX_PAGE}`);
  return size;
}

export const encodeCursor = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [text, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const at = new Date(text ?? '');
  if (!id || Number.isNaN(at.getTime())) throw badInput('after', 'is not a cursor of this list');
  return { at, id: parseId('after', id) };
}

/** The page of rows read with one more than asked (`first + 1`), as a connection. */
export const pageOf = <T>(rows: T[], first: number, totalCount: number, cursorOf: (row: T) => string): Connection<T> => ({
  edges: rows.slice(0, first).map((node) => ({ cursor: cursorOf(node), node })),
  hasNextPage: rows.length > first,
  totalCount,
});
