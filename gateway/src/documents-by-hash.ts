import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Logger } from '@eventgraph/runtime';
import type { CallerDirectory } from './auth/caller-directory';
import { documentSha256 } from './auth/trusted-documents';

/**
 * Documents by hash, the Apollo / Hive convention: a request may name its
 * operation by `extensions.persistedQuery.sha256Hash` (or Hive's `documentId`,
 * turned into the same by the runtime's HTTP adapter) and send no `query`.
 * The text is found, in this order, in the operations the SDK publishes (its
 * manifest, accepted for every caller) and in those the caller's partner app
 * registered. Otherwise Apollo Server's own automatic persisted queries answer
 * (texts any caller sent once with their hash) and, failing that, refuse with
 * PERSISTED_QUERY_NOT_FOUND. Whatever text is found still goes through every
 * check, trusted-documents mode included: a hash is only a shorter way to send
 * a text.
 */

export const PERSISTED_QUERY_NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND';

/** Apollo Server's own message and code, which Apollo's clients look for before sending the full text. */
export const persistedQueryNotFound = () =>
  new GraphQLError('PersistedQueryNotFound', { extensions: { code: PERSISTED_QUERY_NOT_FOUND } });

/** The SDK's published operations, when the gateway runs inside this repository. */
export const SDK_MANIFEST_PATH = resolve(__dirname, '..', '..', 'sdk', 'src', 'generated', 'trusted-documents.json');

/** Published operations by the sha256 (hex) of their exact text. */
export type DocumentManifest = ReadonlyMap<string, string>;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Reads a manifest of operations: a JSON object of hash → text (or an array of
 * texts). Each text is indexed by the sha256 of the text itself, so an entry
 * whose stated hash does not match is left out (and logged) rather than run
 * under a name it does not have. A missing file is an empty manifest.
 */
export function loadDocumentManifest(path: string, log?: Logger): DocumentManifest {
  if (!existsSync(path)) return new Map();
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const entries: Array<[string | undefined, unknown]> = Array.isArray(parsed)
    ? parsed.map((text) => [undefined, text])
    : Object.entries((parsed ?? {}) as Record<string, unknown>);
  const manifest = new Map<string, string>();
  for (const [stated, text] of entries) {
    if (typeof text !== 'string') continue;
    const hash = documentSha256(text);
    if (stated !== undefined && stated.replace(/^sha256:/, '') !== hash) {
      log?.warn({ path, stated }, 'manifest entry left out: its hash is not the sha256 of its text');
      continue;
    }
    manifest.set(hash, text);
  }
  log?.info({ path, documents: manifest.size }, 'published operations loaded');
  return manifest;
}

/** Finds the text behind a hash: the published manifest, then the caller's partner app's registered operations. */
export function documentFinder(callers: CallerDirectory, published: DocumentManifest) {
  return async (sha256: string, partnerAppId: string | undefined): Promise<string | undefined> => {
    if (!SHA256_HEX.test(sha256)) return undefined;
    const text = published.get(sha256);
    if (text !== undefined || !partnerAppId) return text;
    return (await callers.trustedDocument(partnerAppId, sha256)) ?? undefined;
  };
}

/** `extensions.persistedQuery.sha256Hash` of a request that sent no text, if any. */
export function requestedHash(query: unknown, extensions: Record<string, unknown> | undefined): string | undefined {
  if (query !== undefined && query !== '') return undefined;
  const persisted = extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  return typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
}

/**
 * Fills in `query` before Apollo Server looks at the request (requestDidStart
 * runs before its persisted-query step), leaving the hash in place so Apollo
 * checks that the text matches it.
 */
export function documentsByHashPlugin<C extends { partnerAppId?: string }>(
  find: ReturnType<typeof documentFinder>,
  log: Logger,
): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ request, contextValue }) {
      const hash = requestedHash(request.query, request.extensions);
      if (!hash) return;
      try {
        const text = await find(hash, contextValue.partnerAppId);
        if (text !== undefined) request.query = text;
      } catch (err) {
        // users unreachable: Apollo's own cache may still know the text; else the client is told to send it
        log.warn({ err }, 'looking up a registered operation by hash failed');
      }
    },
  };
}
