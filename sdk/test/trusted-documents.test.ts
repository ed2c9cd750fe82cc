import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, print, type DocumentNode } from 'graphql';
import * as sdk from '../src';
import WebSocket from 'ws';
import { apiKeyCredential, createEventgraphClient, EventChangedDocument, SearchEventsDocument, type FetchLike } from '../src';
import { createOrganisationWithEvent } from '../../platform/test/support/demo-data';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';
import { trackLiveSubscriptions, waitForLive } from './support';

/**
 * Trusted documents: the SDK publishes its operations as a manifest (sha256 of the exact text it
 * sends → the text), and with `persistedDocuments` sends them by hash alone, which the gateway
 * accepts for every caller, partner keys in trusted-documents mode included.
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'src', 'generated', 'trusted-documents.json'), 'utf8')) as Record<
  string,
  string
>;
const documents = Object.entries(sdk).filter(([name]) => name.endsWith('Document')) as Array<[string, DocumentNode]>;

describe('the manifest', () => {
  it('holds every typed document of the SDK, under the sha256 of the text the client sends, and nothing else', () => {
    expect(documents.length).toBeGreaterThan(50);
    for (const [name, document] of documents) {
      const text = print(document);
      const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
      expect({ name, hash }).toEqual({ name, hash: sha256(text) });
      expect(manifest[hash!]).toBe(text);
    }
    expect(Object.keys(manifest).sort()).toEqual(documents.map(([, d]) => sha256(print(d))).sort());
  });
});

describe('against the gateway', () => {
  let platform: TestPlatform;
  let trustedKey: string;
  const sent: Array<Record<string, any>> = [];
  const recording: FetchLike = (url, init) => {
    sent.push(JSON.parse(init.body));
    return globalThis.fetch(url, init);
  };

  beforeAll(async () => {
    platform = await startTestPlatform();
    trackLiveSubscriptions(platform);
    const { org } = await createOrganisationWithEvent(platform);
    // a partner app that runs registered operations only, with none of its own registered: the SDK's are trusted
    const { createPartnerApp: app } = await platform.data(
      `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Guide", whiteLabel: { brandName: "Guide" }) { id } }`,
      { o: org.id },
    );
    await platform.data(`mutation($id: ID!) { updatePartnerApp(id: $id, trustedDocumentsOnly: true) { id } }`, { id: app.id });
    const { createApiKey } = await platform.data(
      `mutation($app: ID!) { createApiKey(partnerAppId: $app, name: "site", scopes: ["events:read"]) { secret } }`,
      { app: app.id },
    );
    trustedKey = createApiKey.secret;
  });
  afterAll(() => platform?.stop());
  beforeEach(() => void sent.splice(0));

  it('sends the SDK’s operations by hash alone, and a trusted-documents key runs them', async () => {
    const client = createEventgraphClient({
      url: platform.gateway.url,
      credential: apiKeyCredential(trustedKey),
      persistedDocuments: 'hash-only',
      fetch: recording,
    });
    const { searchEvents } = await client.request(SearchEventsDocument, { first: 5 });
    expect(searchEvents.totalCount).toBeGreaterThanOrEqual(0);
    expect(sent).toEqual([
      {
        operationName: 'SearchEvents',
        variables: { first: 5 },
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(print(SearchEventsDocument)) } },
      },
    ]);
    // text of its own is still refused for such a key
    await expect(client.request('{ searchEvents(first: 1) { totalCount } }')).rejects.toMatchObject({
      code: 'UNTRUSTED_OPERATION',
    });
    await client.close();
  });

  it('subscribes by hash alone too, over graphql-ws', async () => {
    const { event } = await createOrganisationWithEvent(platform);
    const subscribed: Array<Record<string, any>> = [];
    // what goes over the socket: graphql-ws's `subscribe` messages, as the gateway receives them
    const Recording = class extends WebSocket {
      override send(data: any, ...rest: any[]) {
        const message = JSON.parse(String(data));
        if (message.type === 'subscribe') subscribed.push(message.payload);
        return (super.send as (...args: any[]) => void)(data, ...rest);
      }
    };
    const recorded = createEventgraphClient({
      url: platform.gateway.url,
      credential: platform.devToken,
      persistedDocuments: 'hash-only',
      webSocketImpl: Recording,
      reconnect: { attempts: 0 },
    });
    const changes = recorded.subscribe(EventChangedDocument, { eventId: event.id });
    const next = changes.next();
    await waitForLive(platform, 'event.*');
    await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { id } }`, { id: event.id });
    const { value } = await next;
    expect(value?.eventChanged.event?.status).toBe('PUBLISHED');
    expect(subscribed[0]).toEqual({
      query: '',
      operationName: 'EventChanged',
      variables: { eventId: event.id },
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(print(EventChangedDocument)) } },
    });
    await Promise.all([changes.return(), recorded.close()]);
  });

  it('refuses a hash the gateway does not know with PERSISTED_QUERY_NOT_FOUND when only hashes may be sent', async () => {
    const client = createEventgraphClient({ url: platform.gateway.url, persistedDocuments: 'hash-only', fetch: recording });
    await expect(client.request(unpublished())).rejects.toMatchObject({ code: 'PERSISTED_QUERY_NOT_FOUND' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toHaveProperty('query');
    await client.close();
  });

  it('sends the text once, with its hash, when the gateway does not know the hash and text is allowed', async () => {
    const client = createEventgraphClient({ url: platform.gateway.url, persistedDocuments: true, fetch: recording });
    const document = unpublished();
    const data = await client.request<{ searchEvents: { totalCount: number } }>(document);
    expect(typeof data.searchEvents.totalCount).toBe('number');
    expect(sent.map((body) => 'query' in body)).toEqual([false, true]);
    expect(sent[1]!.extensions.persistedQuery.sha256Hash).toBe(sha256(print(document)));
    await client.close();
  });

  it('sends the text, as always, without the option', async () => {
    const client = createEventgraphClient({ url: platform.gateway.url, fetch: recording });
    await client.request(SearchEventsDocument, { first: 1 });
    expect(sent[0]).toMatchObject({ query: print(SearchEventsDocument), operationName: 'SearchEvents' });
    expect(sent[0]).not.toHaveProperty('extensions');
    await client.close();
  });
});

/** a document that carries a hash, as generated persisted documents do, but is in no manifest */
function unpublished(): DocumentNode {
  const document = parse(`query Unpublished${Math.random().toString(36).slice(2, 8)} { searchEvents(first: 1) { totalCount } }`);
  return Object.assign(document, { __meta__: { hash: sha256(print(document)) } });
}
