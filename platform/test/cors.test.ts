import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createOrganisationWithEvent } from './support/demo-data';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

/**
 * CORS on the gateway, over real HTTP and WebSocket: the platform's own origins come from
 * EVENTGRAPH_CORS_ORIGINS, a partner site's from its app's white-label configuration. (A real browser page
 * on another origin is driven in the partner-site test.)
 */

const PLATFORM_ORIGIN = 'https://app.eventgraph.test';
const SITE_A = 'https://events.city-guide.test';
const SITE_B = 'https://tickets.night-owl.test';
const STRANGER = 'https://evil.example';
const BRANDING = '{ partnerBranding { brandName } }';

let platform: TestPlatform;
let organizationId: string;
let appB: string;
let keyA: string;

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };

async function partnerKey(name: string, origins: string[]): Promise<{ appId: string; secret: string }> {
  const { createPartnerApp: app } = await platform.data(
    `mutation($o: ID!, $name: String!, $origins: [String!]) {
      createPartnerApp(organizationId: $o, name: $name, whiteLabel: { brandName: $name, allowedOrigins: $origins }) { id } }`,
    { o: organizationId, name, origins },
  );
  const { createApiKey: key } = await platform.data(
    `mutation($app: ID!) { createApiKey(partnerAppId: $app, name: "site", scopes: ["events:read"]) { secret } }`,
    { app: app.id },
  );
  return { appId: app.id, secret: key.secret };
}

/** A POST as a browser page at `origin` sends it. */
async function post(origin: string | undefined, query: string, token?: string) {
  const response = await fetch(platform.gateway.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(origin ? { origin } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query }),
  });
  return { response, body: (await response.json()) as Body };
}

const preflight = (origin: string | undefined, path = '/graphql') =>
  fetch(new URL(path, platform.gateway.url), {
    method: 'OPTIONS',
    headers: {
      ...(origin ? { origin } : {}),
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    },
  });

/** The preflight's status once the bus event of a change has reached the gateway (well before the 30 s cache expires). */
async function preflightSettles(origin: string, status: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const seen = (await preflight(origin)).status;
    if (seen === status || Date.now() > deadline) return seen;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const corsHeaders = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

beforeAll(async () => {
  platform = await startTestPlatform({ env: { EVENTGRAPH_CORS_ORIGINS: `${PLATFORM_ORIGIN},http://localhost:5173` } });
  organizationId = (await createOrganisationWithEvent(platform)).org.id;
  keyA = (await partnerKey('City Guide', [SITE_A])).secret;
  appB = (await partnerKey('Night Owl', [SITE_B])).appId;
});
afterAll(() => platform?.stop());

describe('preflights', () => {
  it('are answered for the platform’s origins and every partner site, with what may be sent', async () => {
    for (const origin of [PLATFORM_ORIGIN, 'http://localhost:5173', SITE_A, SITE_B]) {
      const response = await preflight(origin);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST');
      expect(response.headers.get('access-control-allow-headers')).toBe(
        'content-type, authorization, apollo-require-preflight, x-apollo-operation-name, last-event-id, x-eventgraph-acting-for',
      );
      expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
      expect(response.headers.get('vary')).toContain('Origin');
    }
  });

  it('from any other origin get no CORS headers at all', async () => {
    for (const origin of [STRANGER, 'null', `${SITE_A}:8443`, SITE_A.replace('https', 'http')]) {
      const response = await preflight(origin);
      expect(response.status).toBe(403);
      expect(corsHeaders(response)).toEqual([]);
      expect(((await response.json()) as Body).errors![0]!.extensions!.code).toBe('ORIGIN_NOT_ALLOWED');
    }
    // OPTIONS from a client that is not a browser just learns the methods
    const plain = await preflight(undefined);
    expect(plain.status).toBe(204);
    expect(plain.headers.get('allow')).toBe('GET, POST, OPTIONS');
  });

  it('follow a partner app’s origins as they change, without waiting for the cache to expire', async () => {
    const added = 'https://www.night-owl.test';
    expect((await preflight(added)).status).toBe(403);
    await platform.data(
      `mutation($id: ID!, $origins: [String!]) { updatePartnerApp(id: $id, whiteLabel: { brandName: "Night Owl", allowedOrigins: $origins }) { id } }`,
      { id: appB, origins: [SITE_B, added] },
    );
    expect(await preflightSettles(added, 204)).toBe(204);
    await platform.data(
      `mutation($id: ID!, $origins: [String!]) { updatePartnerApp(id: $id, whiteLabel: { brandName: "Night Owl", allowedOrigins: $origins }) { id } }`,
      { id: appB, origins: [SITE_B] },
    );
    expect(await preflightSettles(added, 403)).toBe(403);
  });
});

describe('requests from browsers', () => {
  it('from an allowed origin may be read, with Retry-After exposed', async () => {
    const { response, body } = await post(PLATFORM_ORIGIN, '{ __typename }', platform.devToken);
    expect(response.status).toBe(200);
    expect(body.data).toEqual({ __typename: 'Query' });
    expect(response.headers.get('access-control-allow-origin')).toBe(PLATFORM_ORIGIN);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-expose-headers')).toContain('retry-after');
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('with a partner key run from that app’s site only', async () => {
    const own = await post(SITE_A, BRANDING, keyA);
    expect(own.body.data).toEqual({ partnerBranding: { brandName: 'City Guide' } });
    expect(own.response.headers.get('access-control-allow-origin')).toBe(SITE_A);

    // another partner's site is a listed origin, but not this key's: no data, no CORS headers
    const elsewhere = await post(SITE_B, BRANDING, keyA);
    expect(elsewhere.response.status).toBe(403);
    expect(elsewhere.body.data).toBeUndefined();
    expect(elsewhere.body.errors![0]!.extensions!.code).toBe('ORIGIN_NOT_ALLOWED');
    expect(corsHeaders(elsewhere.response)).toEqual([]);

    // the platform's own apps may use it too; a server (no Origin) as before
    expect((await post(PLATFORM_ORIGIN, BRANDING, keyA)).body.data).toEqual({ partnerBranding: { brandName: 'City Guide' } });
    expect((await post(undefined, BRANDING, keyA)).body.data).toEqual({ partnerBranding: { brandName: 'City Guide' } });
  });

  it('from an origin no one lists get no data, whoever calls', async () => {
    for (const token of [undefined, keyA, platform.devToken]) {
      const { response, body } = await post(STRANGER, '{ __typename }', token);
      expect(response.status).toBe(403);
      expect(body).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'ORIGIN_NOT_ALLOWED' } }] });
      expect(corsHeaders(response)).toEqual([]);
    }
  });

  it('keep Apollo’s CSRF prevention for simple requests', async () => {
    const simple = await fetch(platform.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: PLATFORM_ORIGIN },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(simple.status).toBe(400);
    expect(((await simple.json()) as Body).errors![0]!.extensions!.code).toBe('BAD_REQUEST');
    const get = await fetch(`${platform.gateway.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { origin: PLATFORM_ORIGIN },
    });
    expect(get.status).toBe(400);
    const preflighted = await fetch(`${platform.gateway.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { origin: PLATFORM_ORIGIN, 'apollo-require-preflight': 'true' },
    });
    expect(((await preflighted.json()) as Body).data).toEqual({ __typename: 'Query' });
  });

  it('to calendar feeds follow the same origins', async () => {
    const feed = `/calendar/organizations/${organizationId}.ics`;
    const allowed = await fetch(new URL(feed, platform.gateway.url), { headers: { origin: SITE_B } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SITE_B);
    expect(await allowed.text()).toContain('BEGIN:VCALENDAR');
    const refused = await fetch(new URL(feed, platform.gateway.url), { headers: { origin: STRANGER } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain('VCALENDAR');
    expect((await preflight(SITE_A, feed)).status).toBe(204);
  });
});

describe('graphql-ws', () => {
  /** A graphql-ws client whose socket sends `origin` with the upgrade, as a browser page there would. */
  const clientFrom = (origin: string, token?: string, lazy = true) =>
    createClient({
      url: platform.gateway.wsUrl,
      webSocketImpl: class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { origin });
        }
      },
      retryAttempts: 0,
      lazy,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    });

  const run = async (origin: string, token?: string) => {
    const client = clientFrom(origin, token);
    try {
      return await new Promise<{ data?: unknown; error?: unknown }>((resolve) => {
        client.subscribe(
          { query: BRANDING },
          { next: (result) => resolve({ data: result.data }), error: (error) => resolve({ error }), complete: () => {} },
        );
      });
    } finally {
      await client.dispose();
    }
  };

  it('accepts a partner site with its own key, and refuses other origins at the upgrade or at connection_init', async () => {
    expect(await run(SITE_A, keyA)).toEqual({ data: { partnerBranding: { brandName: 'City Guide' } } });
    // a stranger's page never gets a socket
    const upgrade = await new Promise<number>((resolve) => {
      const socket = new WebSocket(platform.gateway.wsUrl, 'graphql-transport-ws', { origin: STRANGER });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => {});
    });
    expect(upgrade).toBe(403);
    // another partner's site: the socket opens, the key is refused (4403 Forbidden)
    const refused = await run(SITE_B, keyA);
    expect((refused.error as { code?: number }).code).toBe(4403);
  });

  it('closes an open socket when its partner app stops listing the page’s origin', async () => {
    const site = 'https://live.night-owl.test';
    const { appId, secret } = await partnerKey('Live site', [site]);
    // not lazy: the socket stays open between operations, as a live page's does
    const client = clientFrom(site, secret, false);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      client.on('closed', (event) => resolve(event as { code: number; reason: string })),
    );
    try {
      const first = await new Promise<unknown>((resolve) => {
        client.subscribe({ query: BRANDING }, { next: (r) => resolve(r.data), error: resolve, complete: () => {} });
      });
      expect(first).toEqual({ partnerBranding: { brandName: 'Live site' } });
      await platform.data(
        `mutation($id: ID!) { updatePartnerApp(id: $id, whiteLabel: { brandName: "Live site", allowedOrigins: ["https://moved.night-owl.test"] }) { id } }`,
        { id: appId },
      );
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('socket still open')), 5_000).unref());
      expect(await Promise.race([closed, timeout])).toMatchObject({ code: 4401, reason: 'ORIGIN_NOT_ALLOWED' });
    } finally {
      await client.dispose();
    }
  });
});
