import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { CallerDirectory } from './caller-directory';

/**
 * Trusted-documents mode: a partner app may register its operations and ask
 * that its keys run nothing else. An operation is identified by the sha256 of
 * its exact text, as registered. The operations the SDK publishes (its
 * manifest) are trusted for every app: they are the platform's own, reviewed
 * with it, so a partner site built on the SDK need not register them again.
 */
export const documentSha256 = (source: string) => createHash('sha256').update(source).digest('hex');

export const untrustedOperation = () =>
  new GraphQLError('this API key may only run operations registered for its partner app', {
    extensions: { code: 'UNTRUSTED_OPERATION', http: { status: 403 } },
  });

export async function checkTrustedDocument(
  callers: CallerDirectory,
  partnerAppId: string | undefined,
  source: string,
  published: ReadonlyMap<string, string> = new Map(),
): Promise<GraphQLError | undefined> {
  if (!partnerAppId) return undefined;
  const hash = documentSha256(source);
  if (published.has(hash)) return undefined;
  const registered = await callers.trustedDocuments(partnerAppId);
  return registered.has(hash) ? undefined : untrustedOperation();
}

/** The HTTP side: refuses an unregistered operation before it runs (Apollo answers errors thrown here with their status). */
export function trustedDocumentsPlugin<C extends { trustedDocumentsOf?: string }>(
  callers: CallerDirectory,
  published?: ReadonlyMap<string, string>,
): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      const partnerAppId = contextValue.trustedDocumentsOf;
      if (!partnerAppId) return;
      return {
        async didResolveOperation({ source }) {
          const refusal = await checkTrustedDocument(callers, partnerAppId, source, published);
          if (refusal) throw refusal;
        },
      };
    },
  };
}
