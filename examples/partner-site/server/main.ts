// The partner site: build it once, then serve it.
//
//   npm run partner-site:build -w examples
//   EVENTGRAPH_PARTNER_KEY=egk_… npm run partner-site:start -w examples
//
// Environment: EVENTGRAPH_PARTNER_KEY (the partner app's key, scope events:read; required), EVENTGRAPH_URL
// (default http://localhost:4000/graphql), EVENTGRAPH_WS_URL (default: EVENTGRAPH_URL as ws://), PORT (default 5173),
// EVENTGRAPH_TRUSTED_DOCUMENTS=1 when the partner app is in trusted-documents mode (scripts/register-documents.ts).
// List the site's origin (http://localhost:5173) in the partner app's whiteLabel.allowedOrigins, or the gateway
// refuses the browser's calls.
import { startPartnerSiteServer } from './site-server';

async function main() {
  const apiKey = process.env.EVENTGRAPH_PARTNER_KEY;
  if (!apiKey) {
    console.error('set EVENTGRAPH_PARTNER_KEY to the partner app\'s API key (createApiKey with scope "events:read")');
    process.exit(2);
  }
  const site = await startPartnerSiteServer({
    port: Number(process.env.PORT ?? 5173),
    config: {
      gatewayUrl: process.env.EVENTGRAPH_URL ?? 'http://localhost:4000/graphql',
      ...(process.env.EVENTGRAPH_WS_URL ? { wsUrl: process.env.EVENTGRAPH_WS_URL } : {}),
      apiKey,
      trustedDocuments: process.env.EVENTGRAPH_TRUSTED_DOCUMENTS === '1',
    },
  });
  console.log(`partner site: ${site.url}`);
  const stop = () => void site.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
