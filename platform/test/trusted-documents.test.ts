import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { SDK_MANIFEST_PATH } from '@eventgraph/gateway/src/documents-by-hash';
import { createOrganisationWithEvent } from './support/demo-data';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

/**
 * Documents by hash (the Apollo and Hive conventions) against the real platform: a partner key in
 * trusted-documents mode names its registered operations by sha256 alone, over HTTP POST and GET and over
 * graphql-ws; the SDK's published manifest is accepted for every caller; unknown hashes get
 * PERSISTED_QUERY_NOT_FOUND; arbitrary text stays refused.
 */

const BRANDING = 'query Branding { partnerBranding { brandName primaryColor } }';
const NOT_REGISTERED = 'query Other { partnerBranding { brandName } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code ?? 'OK';

let platform: TestPlatform;
let organizationId: string;
let trustedKey: string;
let otherAppDocument: string;

async function post(body: Record<string, unknown>, token: string | null) {
  const response = await fetch(platform.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

async function get(params: Record<string, string>, token: string | null) {
  const response = await fetch(`${platform.gateway.url}?${new URLSearchParams(params)}`, {
    headers: { 'apollo-require-preflight': 'true', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  return { status: response.status, body: (await response.json()) as Body };
}

async function partnerApp(name: string, documents: string[], trustedDocumentsOnly: boolean) {
  const { createPartnerApp: app } = await platform.data(
    `mutation($o: ID!, $name: String!) { createPartnerApp(organizationId: $o, name: $name, whiteLabel: { brandName: $name, primaryColor: "#aa3300" }) { id } }`,
    { o: organizationId, name },
  );
  const { registerTrustedDocuments: hashes } = await platform.data(
    `mutation($app: ID!, $docs: [String!]!) { registerTrustedDocuments(partnerAppId: $app, documents: $docs) }`,
    { app: app.id, docs: documents },
  );
  expect(hashes).toEqual(documents.map(sha256));
  await platform.data(`mutation($id: ID!, $only: Boolean) { updatePartnerApp(id: $id, trustedDocumentsOnly: $only) { id } }`, {
    id: app.id,
    only: trustedDocumentsOnly,
  });
  const { createApiKey: key } = await platform.data(
    `mutation($app: ID!) { createApiKey(partnerAppId: $app, name: "site", scopes: ["events:read"]) { secret } }`,
    { app: app.id },
  );
  return key.secret as string;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  organizationId = (await createOrganisationWithEvent(platform)).org.id;
  trustedKey = await partnerApp('City Guide', [BRANDING], true);
  otherAppDocument = `query OtherApp { partnerBranding { brandName logoUrl } }`;
  await partnerApp('Night Owl', [otherAppDocument], false);
});
afterAll(() => platform?.stop());

const BRANDED = { partnerBranding: { brandName: 'City Guide', primaryColor: '#aa3300' } };

describe('a key in trusted-documents mode', () => {
  it('runs its registered operations by hash alone, as Apollo and Hive clients send them', async () => {
    const hash = sha256(BRANDING);
    for (const body of [
      { extensions: persisted(hash) },
      { documentId: hash },
      { documentId: `sha256:${hash}`, operationName: 'Branding' },
    ]) {
      const result = await post(body, trustedKey);
      expect(result).toEqual({ status: 200, body: { data: BRANDED } });
    }
    expect((await get({ extensions: JSON.stringify(persisted(hash)) }, trustedKey)).body).toEqual({ data: BRANDED });
    expect((await get({ documentId: hash }, trustedKey)).body).toEqual({ data: BRANDED });
    // the text itself, as before
    expect((await post({ query: BRANDING }, trustedKey)).body).toEqual({ data: BRANDED });
  });

  it('still cannot send other text, nor run what another caller left in the automatic persisted-query cache', async () => {
    const refused = await post({ query: NOT_REGISTERED }, trustedKey);
    expect(refused.status).toBe(403);
    expect(codeOf(refused.body)).toBe('UNTRUSTED_OPERATION');
    expect(codeOf((await post({ query: NOT_REGISTERED, extensions: persisted(sha256(NOT_REGISTERED)) }, trustedKey)).body)).toBe(
      'UNTRUSTED_OPERATION',
    );

    // any caller may register a text under its hash (Apollo's APQ); a trusted-documents key still may not run it
    const text = `query Cached { __typename }`;
    const registered = await post({ query: text, extensions: persisted(sha256(text)) }, platform.devToken);
    expect(registered.body).toEqual({ data: { __typename: 'Query' } });
    expect((await post({ extensions: persisted(sha256(text)) }, platform.devToken)).body).toEqual({
      data: { __typename: 'Query' },
    });
    const cached = await post({ extensions: persisted(sha256(text)) }, trustedKey);
    expect(cached.status).toBe(403);
    expect(codeOf(cached.body)).toBe('UNTRUSTED_OPERATION');
  });

  it('does not find another partner app’s registered operations', async () => {
    const result = await post({ extensions: persisted(sha256(otherAppDocument)) }, trustedKey);
    expect(codeOf(result.body)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(result.body.data).toBeUndefined();
  });
});

describe('unknown hashes', () => {
  it('are refused with PERSISTED_QUERY_NOT_FOUND for every caller, never a crash', async () => {
    const unknown = randomBytes(32).toString('hex');
    for (const token of [trustedKey, platform.devToken, null]) {
      for (const body of [{ extensions: persisted(unknown) }, { documentId: unknown }, { documentId: 'not-a-hash' }]) {
        const result = await post(body, token);
        expect(result.status).toBe(200);
        expect(result.body).toEqual({
          errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
        });
      }
    }
    const wrongVersion = await post({ extensions: { persistedQuery: { version: 2, sha256Hash: unknown } } }, null);
    expect(wrongVersion.status).toBe(400);
    const mismatch = await post({ query: '{ __typename }', extensions: persisted(unknown) }, null);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.data).toBeUndefined();
  });
});

describe('the SDK’s published operations', () => {
  const manifest = JSON.parse(readFileSync(SDK_MANIFEST_PATH, 'utf8')) as Record<string, string>;
  const [hash, text] = Object.entries(manifest).find(([, t]) => t.startsWith('query Organization($id: ID!,'))!;

  it('run by hash for every caller, trusted-documents keys included', async () => {
    expect(sha256(text)).toBe(hash);
    for (const token of [trustedKey, platform.devToken]) {
      const result = await post({ extensions: persisted(hash), variables: { id: organizationId } }, token);
      expect(codeOf(result.body)).toBe('OK');
      expect(result.body.data.organization.id).toBe(organizationId);
    }
  });
});

describe('over graphql-ws', () => {
  it('a subscribe message may name its document by hash, with an empty query', async () => {
    const client = createClient({
      url: platform.gateway.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
      connectionParams: { authorization: `Bearer ${trustedKey}` },
    });
    const once = (hash: string) =>
      new Promise<{ data?: unknown; errors?: unknown }>((resolve) => {
        client.subscribe(
          { query: '', extensions: persisted(hash) },
          { next: (r) => resolve({ data: r.data }), error: (e) => resolve({ errors: e }), complete: () => {} },
        );
      });
    try {
      expect(await once(sha256(BRANDING))).toEqual({ data: BRANDED });
      const unknown = await once(randomBytes(32).toString('hex'));
      expect(JSON.stringify(unknown.errors)).toContain('PERSISTED_QUERY_NOT_FOUND');
      const unregistered = await once(sha256(otherAppDocument));
      expect(JSON.stringify(unregistered.errors)).toContain('PERSISTED_QUERY_NOT_FOUND');
    } finally {
      await client.dispose();
    }
  });
});
