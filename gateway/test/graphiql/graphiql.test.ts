import { chromium, type Browser } from 'playwright-core';
import { createLogger } from '@eventgraph/runtime';
import { startGateway, type RunningGateway } from '../../src/gateway';
import { loadGatewaySettings } from '../../src/settings';
import { composeFixture, FEDERATION_LINK, startSubgraph, type RunningSubgraph } from '../federation/harness';

/** GraphiQL served by the gateway: its own assets only, the introspection policy kept, usable with no network. */

const DEV_TOKEN = 'graphiql-test-dev-token';
const fixture = {
  name: 'greetings',
  sdl: `${FEDERATION_LINK(['@key'])}\ntype Query { hello: String! }`,
  resolvers: { Query: { hello: () => 'hello from the subgraph' } },
};
const INTROSPECTION = '{ __schema { queryType { name } } }';

let subgraph: RunningSubgraph;
let supergraphSdl: string;
const gateways: RunningGateway[] = [];

/** a gateway as production runs it: introspection for members only */
const start = async (graphiql: boolean) => {
  const gateway = await startGateway({
    supergraphSdl,
    port: 0,
    principalSecret: 'graphiql-test-principal-secret',
    jwtSecret: 'graphiql-test-jwt-secret-0123456789-abcdef',
    devToken: DEV_TOKEN,
    introspection: 'members',
    graphiql,
    publishedDocuments: new Map(),
    connectionRevalidationMs: 0,
    logger: createLogger('gateway', 'silent'),
  });
  gateways.push(gateway);
  return gateway;
};

const post = async (url: string, query: string, token?: string) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query }) });
  return {
    status: res.status,
    body: (await res.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> },
  };
};

beforeAll(async () => {
  subgraph = await startSubgraph(fixture);
  supergraphSdl = composeFixture([{ ...fixture, url: subgraph.url }]);
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await subgraph.stop();
});

describe('GraphiQL settings', () => {
  const secrets = { EVENTGRAPH_PRINCIPAL_SECRET: 'x'.repeat(16), EVENTGRAPH_JWT_SECRET: 'y'.repeat(32) };
  it('is on while developing, off in production, and EVENTGRAPH_GRAPHIQL decides either way', () => {
    expect(loadGatewaySettings({}).EVENTGRAPH_GRAPHIQL).toBe('on');
    const production = loadGatewaySettings({ ...secrets, NODE_ENV: 'production' });
    expect([production.EVENTGRAPH_GRAPHIQL, production.EVENTGRAPH_INTROSPECTION]).toEqual(['off', 'members']);
    expect(loadGatewaySettings({ ...secrets, NODE_ENV: 'production', EVENTGRAPH_GRAPHIQL: 'on' }).EVENTGRAPH_GRAPHIQL).toBe('on');
    expect(loadGatewaySettings({ EVENTGRAPH_GRAPHIQL: 'off' }).EVENTGRAPH_GRAPHIQL).toBe('off');
  });
});

describe('GraphiQL over HTTP', () => {
  it('serves the page to browsers on GET /graphql and its assets from the gateway, with no other origin named', async () => {
    const gateway = await start(true);
    const page = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual([
      '/graphiql/graphiql.css',
      '/graphiql/react.js',
      '/graphiql/react-dom.js',
      '/graphiql/graphiql.js',
      '/graphiql/start.js',
    ]);
    for (const asset of assets) {
      const res = await fetch(new URL(asset, gateway.url));
      expect([asset, res.status]).toEqual([asset, 200]);
      expect(res.headers.get('content-type')).toMatch(asset.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    expect((await fetch(new URL('/graphiql/../package.json', gateway.url))).status).toBe(404);
    // GraphQL requests on the same path are the endpoint's as before
    expect((await post(gateway.url, '{ hello }')).body).toEqual({ data: { hello: 'hello from the subgraph' } });
  });

  it('when off, browsers get no page, neither ours nor Apollo Sandbox, and the assets are not there', async () => {
    const gateway = await start(false);
    const page = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    // nor Apollo's landing page, which would load Sandbox from a CDN
    expect(await page.text()).not.toMatch(/\/graphiql\/|https?:\/\//);
    expect((await fetch(new URL('/graphiql/graphiql.js', gateway.url))).status).toBe(404);
  });

  it('keeps the production introspection policy: anonymous callers are refused, a token holder gets the schema', async () => {
    const gateway = await start(true);
    const anonymous = await post(gateway.url, INTROSPECTION);
    expect(anonymous.status).toBe(403);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('INTROSPECTION_DISABLED');
    expect((await post(gateway.url, INTROSPECTION, DEV_TOKEN)).body).toEqual({
      data: { __schema: { queryType: { name: 'Query' } } },
    });
  });
});

describe('GraphiQL in Chromium with no network', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(() => browser?.close());

  it('runs a query with the Authorization header the user typed, every request staying on the gateway', async () => {
    const gateway = await start(true);
    const page = await browser.newPage();
    const blocked: string[] = [];
    const local: string[] = [];
    // the offline proof: anything not addressed to this machine is refused
    await page.route('**/*', (route) => {
      const { hostname } = new URL(route.request().url());
      if (hostname === 'localhost' || hostname === '127.0.0.1') {
        local.push(route.request().url());
        return route.continue();
      }
      blocked.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    await page.goto(gateway.url);
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Headers' }).click();
    // GraphiQL's editors are CodeMirror 5 instances, reachable from their element
    type Editor = { CodeMirror: { setValue(text: string): void; getValue(): string } };
    const editor = (selector: string) => page.locator(selector).first();
    const setEditor = (selector: string, value: string) =>
      editor(selector).evaluate((el, v) => (el as unknown as Editor).CodeMirror.setValue(v), value);
    await setEditor('.graphiql-query-editor .CodeMirror', `{ hello ${INTROSPECTION.slice(1, -1)} }`);
    await setEditor(
      '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror',
      JSON.stringify({ Authorization: `Bearer ${DEV_TOKEN}` }),
    );
    // GraphiQL takes an editor's text after a debounce
    await new Promise((r) => setTimeout(r, 1000));
    await page.locator('.graphiql-execute-button').click();
    const response = () =>
      editor('.graphiql-response .CodeMirror').evaluate((el) => (el as unknown as Editor).CodeMirror.getValue());
    const deadline = Date.now() + 10_000;
    let text = await response();
    while (!text.includes('hello from the subgraph') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      text = await response();
    }
    expect(JSON.parse(text)).toEqual({ data: { hello: 'hello from the subgraph', __schema: { queryType: { name: 'Query' } } } });
    expect(blocked).toEqual([]);
    expect(local.some((url) => url.endsWith('/graphiql/graphiql.js'))).toBe(true);
    await page.close();
  });
});
