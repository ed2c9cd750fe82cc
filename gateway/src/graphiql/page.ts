/**
 * The IDE's page and its start script. Everything comes from the gateway's own origin, and the
 * Content-Security-Policy says so: no CDN, no inline script, fetches to this origin only.
 */
export const START_SCRIPT = `(function () {
  var root = document.getElementById('graphiql');
  var app = window.React.createElement(window.GraphiQL, {
    fetcher: window.GraphiQL.createFetcher({ url: root.getAttribute('data-endpoint') }),
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false,
    defaultQuery: root.getAttribute('data-default-query'),
  });
  window.ReactDOM.createRoot(root).render(app);
})();
`;

// in production anonymous callers get no schema (EVENTGRAPH_INTROSPECTION=members): a token in Headers gives it
const DEFAULT_QUERY = `# Eventgraph GraphiQL. To see the schema where anonymous callers may not, add a token under Headers:
#   { "Authorization": "Bearer <token>" }
query {
  __typename
}
`;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // GraphiQL's editors set style attributes; its icons are data: URIs
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

const escapeAttribute = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '&#10;');

export function graphiqlPage(endpoint: string, assetPrefix: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Eventgraph GraphiQL</title>
  <style>body { margin: 0; } #graphiql { height: 100vh; }</style>
  <link rel="stylesheet" href="${assetPrefix}graphiql.css">
</head>
<body>
  <div id="graphiql" data-endpoint="${escapeAttribute(endpoint)}" data-default-query="${escapeAttribute(DEFAULT_QUERY)}">Loading GraphiQL…</div>
  <script src="${assetPrefix}react.js"></script>
  <script src="${assetPrefix}react-dom.js"></script>
  <script src="${assetPrefix}graphiql.js"></script>
  <script src="${assetPrefix}start.js"></script>
</body>
</html>
`;
}
