import WebSocket from 'ws';
import {
  apiKeyCredential,
  createEventgraphClient,
  deviceCredential,
  EventgraphError,
  GateCheckInsDocument,
  ProvisionDeviceDocument,
  RegisterDeviceDocument,
  RevokeDeviceDocument,
  ScanWristbandDocument,
  SearchEventsDocument,
  type EventgraphClient,
} from '../src';
import { createDemoWorld } from '../../platform/test/support/demo-data';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';
import { trackLiveSubscriptions, waitForLive, within } from './support';

/** The three ways a client acts for someone: a user session (session.test.ts), a partner's API key, a scanner device. */
let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
let admin: EventgraphClient;
const clients: EventgraphClient[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  trackLiveSubscriptions(platform);
  world = await createDemoWorld(platform);
  admin = createEventgraphClient({ url: platform.gateway.url, credential: platform.devToken });
  clients.push(admin);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await platform?.stop();
});

it('refuses what is not a key or a device credential before anything is sent', () => {
  expect(() => apiKeyCredential('egd_1.secret')).toThrow(/egk_/);
  expect(() => deviceCredential('eventgraph-dev-token')).toThrow(/egd_/);
  expect(apiKeyCredential('  egk_abc.def  ').token()).toBe('egk_abc.def');
});

it('acts as a partner app with its API key', async () => {
  const { createPartnerApp: app } = await platform.data(
    `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Guide", whiteLabel: { brandName: "Guide" }) { id } }`,
    { o: world.org.id },
  );
  const { createApiKey } = await platform.data(
    `mutation($app: ID!) { createApiKey(partnerAppId: $app, name: "site", scopes: ["events:read"]) { secret } }`,
    { app: app.id },
  );
  const partner = createEventgraphClient({ url: platform.gateway.url, credential: apiKeyCredential(createApiKey.secret) });
  clients.push(partner);
  const { searchEvents } = await partner.request(SearchEventsDocument, { first: 1 });
  expect(typeof searchEvents.totalCount).toBe('number');
  // a key with a wrong secret: UNAUTHENTICATED with the gateway's reason
  const wrong = createEventgraphClient({ url: platform.gateway.url, credential: apiKeyCredential(`${createApiKey.secret}x`) });
  clients.push(wrong);
  const err = (await wrong.request(SearchEventsDocument, { first: 1 }).catch((e: unknown) => e)) as EventgraphError;
  expect({ code: err.code, reason: err.reason, status: err.status }).toEqual({
    code: 'UNAUTHENTICATED',
    reason: 'INVALID_CREDENTIAL',
    status: 401,
  });
});

it('acts as a scanner device with its credential: scans at its gate and follows its check-ins live, until revoked', async () => {
  const { registerDevice } = await admin.request(RegisterDeviceDocument, {
    organizationId: world.org.id,
    name: 'Gate scanner',
    gateIds: [world.gate.id],
  });
  const anonymous = createEventgraphClient({ url: platform.gateway.url });
  clients.push(anonymous);
  const { provisionDevice } = await anonymous.request(ProvisionDeviceDocument, {
    provisioningToken: registerDevice.provisioningToken,
  });
  const device = createEventgraphClient({
    url: platform.gateway.url,
    credential: deviceCredential(provisionDevice.credential),
    webSocketImpl: WebSocket,
    reconnect: { attempts: 0 },
  });
  clients.push(device);

  const feed = device.subscribe(GateCheckInsDocument, { gateId: world.gate.id });
  const seen = feed.next();
  await waitForLive(platform, 'checkin.recorded');
  const { checkIn } = await device.request(ScanWristbandDocument, {
    input: { seriesId: world.series.id, gateId: world.gate.id, nfcId: world.wristband.nfcId, direction: 'ENTRY' },
  });
  expect(checkIn).toMatchObject({ allowed: true, scannerKind: 'device' });
  expect((await within(5000, 'the scan on the gate feed', seen)).value?.checkInRecorded.id).toBe(checkIn.id);

  // revoked while subscribed: the feed ends with UNAUTHENTICATED, and so do requests
  const ended = feed.next().catch((e: unknown) => e);
  await admin.request(RevokeDeviceDocument, { id: registerDevice.device.id });
  expect(await within(5000, 'the feed ending', ended)).toMatchObject({ code: 'UNAUTHENTICATED' });
  await expect(
    device.request(ScanWristbandDocument, {
      input: { seriesId: world.series.id, gateId: world.gate.id, nfcId: world.wristband.nfcId, direction: 'EXIT' },
    }),
  ).rejects.toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIAL' });
});
