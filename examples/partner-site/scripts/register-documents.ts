// Registers the site's operations with its partner app, so that the app can run in trusted-documents mode (its key
// may then run these operations only, sent by hash):
//
//   EVENTGRAPH_TOKEN=<an admin of the organisation> npx tsx examples/partner-site/scripts/register-documents.ts <partner app id> [--only]
//
// --only also switches the app to trusted-documents mode; then serve the site with EVENTGRAPH_TRUSTED_DOCUMENTS=1.
// Environment: EVENTGRAPH_URL (default http://localhost:4000/graphql).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEventgraphClient, isEventgraphError } from '@eventgraph/sdk';
import WebSocket from 'ws';

/** written by generate.ts: hash → text of every operation the site sends */
export const MANIFEST_PATH = join(__dirname, '..', 'src', 'generated', 'persisted-documents.json');

const REGISTER = `mutation($app: ID!, $documents: [String!]!) { registerTrustedDocuments(partnerAppId: $app, documents: $documents) }`;
const TRUSTED_ONLY = `mutation($app: ID!) { updatePartnerApp(id: $app, trustedDocumentsOnly: true) { id trustedDocumentsOnly } }`;

/** Registers the manifest's documents; returns the hashes the platform computed (they must be the manifest's). */
export async function registerSiteDocuments(options: { url: string; token: string; partnerAppId: string; only?: boolean }) {
  const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Record<string, string>;
  const client = createEventgraphClient({ url: options.url, credential: options.token, webSocketImpl: WebSocket });
  try {
    const { registerTrustedDocuments: hashes } = await client.request<{ registerTrustedDocuments: string[] }>(REGISTER, {
      app: options.partnerAppId,
      documents: Object.values(manifest),
    });
    const unexpected = hashes.filter((hash) => !(hash in manifest));
    if (unexpected.length) throw new Error(`the platform hashed the documents differently: ${unexpected.join(', ')}`);
    if (options.only) await client.request(TRUSTED_ONLY, { app: options.partnerAppId });
    return hashes;
  } finally {
    await client.close();
  }
}

if (require.main === module) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { only: { type: 'boolean', default: false } } });
  const [partnerAppId] = positionals;
  const token = process.env.EVENTGRAPH_TOKEN;
  if (!partnerAppId || !token) {
    console.error('usage: EVENTGRAPH_TOKEN=<admin token> register-documents.ts <partner app id> [--only]');
    process.exit(64);
  }
  registerSiteDocuments({
    url: process.env.EVENTGRAPH_URL ?? 'http://localhost:4000/graphql',
    token,
    partnerAppId,
    only: values.only,
  })
    .then((hashes) =>
      console.log(`registered ${hashes.length} operations${values.only ? '; the app now runs in trusted-documents mode' : ''}`),
    )
    .catch((err: unknown) => {
      console.error(isEventgraphError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
