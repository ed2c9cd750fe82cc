import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  CheckInDocument,
  CreateEventDocument,
  CreateEventSeriesDocument,
  CreateGateDocument,
  CreateWristbandDocument,
  createEventgraphClient,
  RegisterDeviceDocument,
  RevokeDeviceDocument,
  TransitionEventSeriesDocument,
  type EventgraphClient,
} from '@eventgraph/sdk';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';
import { liveSubscriptions, trackLiveSubscriptions } from '../../sdk/test/support';
import { createDemoOrganization } from '../lib/demo';
import type { QueuedScan } from '../scanner/offline-queue';
import { killClis, startCli, until, type CliProcess } from './support/cli-process';

const SCANNER = join(__dirname, '..', 'scanner', 'main.ts');

let platform: TestPlatform;
let admin: EventgraphClient;
let world: Awaited<ReturnType<typeof createGateWorld>>;
const stateDirs: string[] = [];

/** An event with two gates, an ACTIVE series (re-entry allowed) at both, and wristbands W1…W6 assigned to it. */
async function createGateWorld() {
  const { organization, venue, tag } = await createDemoOrganization(admin);
  const { createEvent: event } = await admin.request(CreateEventDocument, {
    input: {
      venueId: venue.id,
      title: 'Gate test',
      slug: `gate-test-${tag}`,
      startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    },
  });
  const gate = async (name: string) =>
    (await admin.request(CreateGateDocument, { input: { eventId: event.id, name, direction: 'BOTH' } })).createGate;
  const [north, south] = [await gate('North'), await gate('South')];
  const { createEventSeries: series } = await admin.request(CreateEventSeriesDocument, {
    input: {
      eventId: event.id,
      name: 'Day 1',
      startsAt: new Date(Date.now() - 3_600_000).toISOString(),
      endsAt: new Date(Date.now() + 86_400_000).toISOString(),
      capacity: 100,
      entryRule: 'REENTRY',
      gateIds: [north.id, south.id],
    },
  });
  for (const to of ['SCHEDULED', 'ACTIVE'] as const)
    await admin.request(TransitionEventSeriesDocument, { id: series.id, to }).catch((err: { code?: string }) => {
      if (err.code !== 'NO_CHANGE') throw err;
    });
  const wristbands: string[] = [];
  for (let n = 1; n <= 6; n++) {
    const nfcId = `04:${tag}:0${n}`;
    await admin.request(CreateWristbandDocument, {
      input: { eventId: event.id, nfcId, category: n === 1 ? 'VIP' : 'GA', seriesIds: [series.id] },
    });
    wristbands.push(nfcId);
  }
  return { organization, event, north, south, series, wristbands };
}

async function registerDevice(name: string, gateIds: string[]) {
  const { registerDevice } = await admin.request(RegisterDeviceDocument, {
    organizationId: world.organization.id,
    name,
    gateIds,
  });
  return registerDevice;
}

interface Scanner extends CliProcess {
  scan(...nfcIds: string[]): void;
}

/** The scanner CLI as a child process, NFC ids through its stdin. */
function startScanner(args: string[]): Scanner {
  const cli = startCli(SCANNER, args, { EVENTGRAPH_URL: platform.gateway.url, EVENTGRAPH_TOKEN: '' }, 30_000);
  return { ...cli, scan: (...nfcIds) => void cli.child.stdin.write(nfcIds.map((id) => `${id}\n`).join('')) };
}

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eventgraph-scanner-'));
  stateDirs.push(dir);
  return dir;
}

/** the series' scan log, as the API has it */
async function checkIns() {
  const { checkIns } = await platform.data(
    `query($s: ID!) { checkIns(seriesId: $s, first: 100) { edges { node { nfcId allowed reason offline scanId scannedAt scannerKind } } } }`,
    { s: world.series.id },
  );
  return (checkIns.edges as Array<{ node: unknown }>).map((e) => e.node) as Array<{
    nfcId: string;
    allowed: boolean;
    reason: string | null;
    offline: boolean;
    scanId: string | null;
    scannedAt: string;
    scannerKind: string;
  }>;
}

const feedLive = (count: number) =>
  until(`${count} live gate feed(s)`, () => liveSubscriptions(platform, 'checkin.recorded') === count);

beforeAll(async () => {
  platform = await startTestPlatform();
  trackLiveSubscriptions(platform);
  admin = createEventgraphClient({
    url: platform.gateway.url,
    credential: platform.devToken,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  world = await createGateWorld();
});

afterEach(killClis);

afterAll(async () => {
  await admin?.close();
  await platform?.stop();
  await Promise.all(stateDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('scanner', () => {
  it('provisions itself, scans online, queues while the gateway is down and uploads the batch when it is back', async () => {
    const [w1, w2, w3, w4, w5] = world.wristbands as [string, string, string, string, string];
    const { provisioningToken, device } = await registerDevice('North scanner', [world.north.id]);
    const state = await stateDir();
    const args = ['--series', world.series.id, '--state', state, '--retry-every', '0.3', '--drain', '5'];
    const scanner = startScanner([...args, '--provision', provisioningToken]);

    expect(await scanner.line(/^Provisioned as/)).toBe(
      `Provisioned as "North scanner" (device ${device.id}); credential kept in ${join(state, 'credential.json')}`,
    );
    // the credential file is the device's alone
    expect((await stat(join(state, 'credential.json'))).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(join(state, 'credential.json'), 'utf8'));
    expect(stored).toMatchObject({ deviceId: device.id, allowedGateIds: [world.north.id] });
    expect(stored.credential).toMatch(/^egd_/);
    await scanner.line(new RegExp(`^Scanning entries at gate ${world.north.id} for series ${world.series.id}`));
    await feedLive(1);

    // online: every scan answered at once, denials with a sentence and the reason
    scanner.scan(w1, w1, '04:NO:SUCH');
    expect(await scanner.line(/^ALLOWED/)).toBe(`ALLOWED  ENTRY ${w1} (VIP)`);
    expect(await scanner.line(/^DENIED .*04:NO:SUCH/)).toBe(
      'DENIED   ENTRY 04:NO:SUCH — No wristband with this id exists for the event. [UNKNOWN_WRISTBAND]',
    );
    expect(scanner.lines).toContain(`DENIED   ENTRY ${w1} (VIP) — The wristband is already inside. [ALREADY_INSIDE]`);

    // the gate's feed: a scan by someone else at this gate is shown
    await admin.request(CheckInDocument, { input: { seriesId: world.series.id, gateId: world.north.id, nfcId: w4 } });
    await scanner.line(new RegExp(`^gate: ALLOWED ENTRY ${w4} at North by another client$`));

    // the gateway goes away: scans go to the durable queue
    const restart = await platform.stopGateway();
    const offlineFrom = scanner.lines.length;
    const before = Date.now();
    scanner.scan(w2, w3, w4);
    expect(await scanner.line(/^OFFLINE/, offlineFrom)).toMatch(/^OFFLINE {2}the gateway cannot be reached .*; scans are kept/);
    await scanner.line(new RegExp(`^QUEUED   ENTRY ${w4} — gateway unreachable; kept offline \\(3 waiting\\)$`), offlineFrom);
    const queued = (await readFile(join(state, 'offline-queue.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as QueuedScan);
    expect(queued.map((s) => s.nfcId)).toEqual([w2, w3, w4]);
    for (const s of queued) expect(Date.parse(s.scannedAt)).toBeGreaterThanOrEqual(before - 1000);
    await new Promise((r) => setTimeout(r, 1000)); // the scanner keeps trying meanwhile, and keeps the scans
    expect(scanner.child.exitCode).toBeNull();

    // back on the same port: the queue is uploaded as one offline batch, each scan with its result
    await restart();
    const summary = await scanner.line(/^uploaded 3 offline scans/, offlineFrom);
    expect(summary).toBe('uploaded 3 offline scans: 2 applied, 0 duplicate, 1 conflict');
    const uploaded = scanner.lines.slice(offlineFrom);
    expect(uploaded).toContain('ONLINE   the gateway answers again; 3 offline scans uploaded');
    expect(uploaded).toContain(`APPLIED   ENTRY ${w2} (GA) scanned ${queued[0]!.scannedAt} — allowed`);
    expect(uploaded).toContain(`APPLIED   ENTRY ${w3} (GA) scanned ${queued[1]!.scannedAt} — allowed`);
    // w4 was let in at this gate by someone else before the outage: the offline entry conflicts with that scan
    expect(uploaded.find((l) => l.startsWith('CONFLICT'))).toMatch(
      new RegExp(
        `^CONFLICT  ENTRY ${w4} \\(GA\\) scanned ${queued[2]!.scannedAt} — The wristband is already inside\\. \\[ALREADY_INSIDE\\]; conflicts with ALLOWED ENTRY at North scanned \\S+ by another client$`,
      ),
    );
    await until('the queue file is emptied', async () => !(await stat(join(state, 'offline-queue.jsonl')).catch(() => null)));

    // the API recorded them as offline scans, at the time they were made, under the scanner's scan ids
    const log = await checkIns();
    for (const s of queued) {
      const recorded = log.find((c) => c.scanId === s.scanId)!;
      expect(recorded).toMatchObject({ nfcId: s.nfcId, offline: true, scannerKind: 'device', scannedAt: s.scannedAt });
      expect(recorded.allowed).toBe(s.nfcId !== w4);
    }

    // the feed is live again after the restart, and online scans are answered directly again
    await feedLive(1);
    await admin.request(CheckInDocument, { input: { seriesId: world.series.id, gateId: world.north.id, nfcId: w5 } });
    await scanner.line(new RegExp(`^gate: ALLOWED ENTRY ${w5} at North by another client$`), offlineFrom);
    scanner.scan(w5);
    await scanner.line(new RegExp(`^DENIED   ENTRY ${w5} \\(GA\\) — The wristband is already inside\\.`), offlineFrom);

    scanner.child.stdin.end();
    expect(await scanner.exited).toBe(0);
    expect(scanner.stderr()).toBe('');

    // a crash after an upload reached the server but before the queue was cleared: the next run uploads the
    // scan again with its scan id, and the server answers DUPLICATE (counted once), with the stored credential
    await writeFile(join(state, 'offline-queue.jsonl'), `${JSON.stringify(queued[0])}\n`);
    const again = startScanner(args);
    await again.line(/^1 offline scan left from an earlier run: uploading$/);
    expect(await again.line(/^DUPLICATE/)).toBe(
      `DUPLICATE ENTRY ${w2} (GA) scanned ${queued[0]!.scannedAt} — uploaded before; first answer: allowed`,
    );
    await again.line(/^uploaded 1 offline scan: 0 applied, 1 duplicate, 0 conflicts$/);
    again.child.stdin.end();
    expect(await again.exited).toBe(0);
    expect((await checkIns()).filter((c) => c.scanId === queued[0]!.scanId)).toHaveLength(1);
    // three scanner processes (each a TypeScript start) and a gateway restart: past the 60 s default on a busy machine,
    // and once past 180 s during CI's embedded pass (each step is bounded by its own 30 s wait for a line)
  }, 300_000);

  it('stops with a readable message and status 77 when its device is revoked, while running and at the next start', async () => {
    const [, , , , , w6] = world.wristbands as string[];
    const { provisioningToken, device } = await registerDevice('Revoked scanner', [world.south.id]);
    const state = await stateDir();
    const args = ['--series', world.series.id, '--state', state];
    const scanner = startScanner([...args, '--provision', provisioningToken]);
    await scanner.line(/^Scanning entries at gate/);
    scanner.scan(w6!);
    await scanner.line(/^ALLOWED/);
    await feedLive(1);

    await admin.request(RevokeDeviceDocument, { id: device.id });
    // the gateway closes the revoked device's feed at once: the scanner stops without another scan
    expect(await scanner.exited).toBe(77);
    expect(scanner.stderr()).toMatch(
      /^This scanner's credential was refused: .+\.\nThe device was revoked or its credential replaced/,
    );
    expect(scanner.stderr()).toContain('--provision <new provisioning token>');
    expect(scanner.stderr()).not.toMatch(/at .+\.ts:\d+/); // no stack trace

    const next = startScanner(args);
    next.scan(w6!);
    expect(await next.exited).toBe(77);
    expect(next.stderr()).toMatch(/^This scanner's credential was refused: the key or device credential is not valid/);
  });

  it('refuses a used or made-up provisioning token, and says what is missing', async () => {
    const { provisioningToken } = await registerDevice('Once', [world.north.id]);
    const first = startScanner(['--series', world.series.id, '--state', await stateDir(), '--provision', provisioningToken]);
    await first.line(/^Provisioned as "Once"/);
    first.child.stdin.end();
    expect(await first.exited).toBe(0);

    for (const token of [provisioningToken, 'egp_made-up']) {
      const refused = startScanner(['--series', world.series.id, '--state', await stateDir(), '--provision', token]);
      expect(await refused.exited).toBe(77);
      expect(refused.stderr()).toMatch(/^The provisioning token was refused: .+\. Provisioning tokens work once, for a day/);
    }

    const unprovisioned = startScanner(['--series', world.series.id, '--state', await stateDir()]);
    expect(await unprovisioned.exited).toBe(64);
    expect(unprovisioned.stderr()).toMatch(/^This scanner is not provisioned yet .+ Run it once with --provision <token>/);

    const noSeries = startScanner(['--state', await stateDir()]);
    expect(await noSeries.exited).toBe(64);
    expect(noSeries.stderr()).toBe('Say which series to scan for: --series <id> (or EVENTGRAPH_SERIES).\n');
  });
});
