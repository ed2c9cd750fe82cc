import { createOrganization, signUp, as } from './support/accounts';
import { activateSeries, createDemoWorld } from './support/demo-data';
import { startTestPlatform, subscribe, type TestPlatform } from './support/test-platform';

/**
 * Check-in at the gates, through the gateway: the decision and its reasons, idempotent scans,
 * offline uploads, the maintained metrics and their subscription, capacity under concurrent scans
 * (on the PostgreSQL server when DATABASE_URL is set: CI runs this file both ways), and isolation
 * between organisations.
 */
let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
let tag = 0;

const HOUR = 3_600_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const CHECK_IN = `mutation($input: CheckInInput!) { checkIn(input: $input) { id allowed reason message wristbandStatus scanId } }`;
const VERIFY = `query($input: CheckInInput!) { verifyAccess(input: $input) { allowed reason wristbandStatus } }`;
const METRICS = `query($id: ID!) { seriesMetrics(seriesId: $id) {
  insideNow capacity capacityRemaining entries exits
  gates { gate { name } entries exits }
  categories { category entries exits inside capacity remaining }
} }`;

beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createDemoWorld(platform);
});
afterAll(() => platform?.stop());

/** An active series of the demo event, with its own gates, entry rule and limits, and `bands` wristbands per category. */
async function activeSeries(options: {
  capacity: number;
  entryRule?: string;
  categoryLimits?: Array<{ category: string; capacity: number }>;
  bands?: Record<string, number>;
  gates?: number;
  startsAt?: string;
}) {
  const n = ++tag;
  const startsAt = options.startsAt ?? iso(-HOUR);
  // an event of its own: series of one event must not overlap, and each test wants one running now
  const { createEvent: event } = await platform.data(
    `mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`,
    {
      input: {
        venueId: world.venue.id,
        title: `Stage ${n}`,
        slug: `stage-${n}-${Date.now().toString(36)}`,
        startsAt,
        endsAt: new Date(Date.parse(startsAt) + 6 * HOUR).toISOString(),
      },
    },
  );
  const gates: string[] = [];
  for (let g = 0; g < (options.gates ?? 1); g++) {
    const { createGate } = await platform.data(`mutation($input: CreateGateInput!) { createGate(input: $input) { id } }`, {
      input: { eventId: event.id, name: `Gate ${g}`, direction: 'BOTH' },
    });
    gates.push(createGate.id);
  }
  const { createEventSeries: series } = await platform.data(
    `mutation($input: CreateEventSeriesInput!) { createEventSeries(input: $input) { id } }`,
    {
      input: {
        eventId: event.id,
        name: `Series ${n}`,
        startsAt,
        endsAt: new Date(Date.parse(startsAt) + 6 * HOUR).toISOString(),
        capacity: options.capacity,
        entryRule: options.entryRule ?? 'REENTRY',
        categoryLimits: options.categoryLimits ?? [],
        gateIds: gates,
      },
    },
  );
  await activateSeries(platform, series.id);
  const bands: Record<string, string[]> = {};
  for (const [category, count] of Object.entries(options.bands ?? { GA: 1 })) {
    bands[category] = [];
    for (let i = 0; i < count; i++) {
      const nfcId = `S${n}-${category}-${i}`;
      await platform.data(`mutation($input: CreateWristbandInput!) { createWristband(input: $input) { id } }`, {
        input: { eventId: event.id, nfcId, category, seriesIds: [series.id] },
      });
      bands[category]!.push(nfcId);
    }
  }
  const scan = (nfcId: string, direction = 'ENTRY', gate = 0, scanId?: string) =>
    platform.request<{ checkIn: Record<string, any> }>(CHECK_IN, {
      input: { seriesId: series.id, gateId: gates[gate], nfcId, direction, scanId },
    });
  const metrics = async () => (await platform.data(METRICS, { id: series.id })).seriesMetrics;
  return { id: series.id as string, eventId: event.id as string, gates, bands, scan, metrics };
}

const allowedOf = (r: { body: { data?: { checkIn: Record<string, any> } | null } }) => r.body.data!.checkIn.allowed as boolean;

describe('a scan at a gate', () => {
  it('is allowed or denied with a reason, every scan is logged, and verifyAccess changes nothing', async () => {
    const s = await activeSeries({ capacity: 10, bands: { GA: 2 } });
    const [band, other] = s.bands.GA!;
    const input = { seriesId: s.id, gateId: s.gates[0], nfcId: band, direction: 'ENTRY' };
    expect((await platform.data(VERIFY, { input })).verifyAccess).toEqual({ allowed: true, reason: null, wristbandStatus: null });
    expect((await s.metrics()).entries).toBe(0);

    expect((await s.scan(band!)).body.data!.checkIn).toMatchObject({ allowed: true, reason: null });
    expect((await s.scan(band!)).body.data!.checkIn).toMatchObject({
      allowed: false,
      reason: 'ALREADY_INSIDE',
      message: 'the wristband is already inside',
    });
    expect((await s.scan(other!, 'EXIT')).body.data!.checkIn).toMatchObject({ allowed: false, reason: 'NOT_INSIDE' });
    expect((await s.scan('NO-SUCH-BAND')).body.data!.checkIn).toMatchObject({ allowed: false, reason: 'UNKNOWN_WRISTBAND' });
    expect((await s.scan(band!, 'EXIT')).body.data!.checkIn).toMatchObject({ allowed: true });

    const { checkIns } = await platform.data(
      `query($s: ID!) { checkIns(seriesId: $s) { totalCount edges { node { nfcId direction allowed reason scannerKind gate { id } } } } }`,
      { s: s.id },
    );
    expect(checkIns.totalCount).toBe(5);
    expect(checkIns.edges.map((e: { node: { reason: string | null } }) => e.node.reason)).toEqual([
      null,
      'UNKNOWN_WRISTBAND',
      'NOT_INSIDE',
      'ALREADY_INSIDE',
      null,
    ]);
    // the log page by page, newest first: two pages of two and one of one, the same scans in the same order
    const pageQuery = `query($s: ID!, $after: String) { checkIns(seriesId: $s, first: 2, after: $after) { edges { node { reason } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
    const reasons: Array<string | null> = [];
    let after: string | null = null;
    for (let pages = 0; pages < 3; pages++) {
      const page: { edges: Array<{ node: { reason: string | null } }>; pageInfo: Record<string, unknown> } = (
        await platform.data(pageQuery, { s: s.id, after })
      ).checkIns;
      reasons.push(...page.edges.map((e) => e.node.reason));
      expect(page.pageInfo).toMatchObject({ hasNextPage: pages < 2, hasPreviousPage: pages > 0 });
      after = page.pageInfo.endCursor as string;
    }
    expect(reasons).toEqual(checkIns.edges.map((e: { node: { reason: string | null } }) => e.node.reason));
    expect(await s.metrics()).toEqual({
      insideNow: 0,
      capacity: 10,
      capacityRemaining: 10,
      entries: 1,
      exits: 1,
      gates: [{ gate: { name: expect.stringMatching(/^Gate/) }, entries: 1, exits: 1 }],
      categories: [{ category: 'GA', entries: 1, exits: 1, inside: 0, capacity: null, remaining: null }],
    });
  });

  it('is answered once per scan id: a retry returns the first answer and counts nothing again', async () => {
    const s = await activeSeries({ capacity: 10 });
    const band = s.bands.GA![0]!;
    const first = (await s.scan(band, 'ENTRY', 0, 'scan-0001')).body.data!.checkIn;
    const retries = await Promise.all([1, 2, 3].map(() => s.scan(band, 'ENTRY', 0, 'scan-0001')));
    for (const retry of retries) expect(retry.body.data!.checkIn).toEqual(first);
    expect(first).toMatchObject({ allowed: true, scanId: 'scan-0001' });
    expect(await s.metrics()).toMatchObject({ insideNow: 1, entries: 1 });

    const reused = await s.scan(band, 'EXIT', 0, 'scan-0001');
    expect(reused.body.errors?.[0]?.extensions).toMatchObject({ code: 'SCAN_ID_REUSED', field: 'scanId' });
  });

  it('says why a wristband that is not active is refused, with its status', async () => {
    const s = await activeSeries({ capacity: 10 });
    const band = s.bands.GA![0]!;
    const { wristbandByNfcId } = await platform.data(
      `query($e: ID!, $n: String!) { wristbandByNfcId(eventId: $e, nfcId: $n) { id } }`,
      { e: s.eventId, n: band },
    );
    await platform.data(`mutation($id: ID!) { setWristbandStatus(id: $id, status: SUSPENDED, reason: "test") { status } }`, {
      id: wristbandByNfcId.id,
    });
    expect((await s.scan(band)).body.data!.checkIn).toMatchObject({
      allowed: false,
      reason: 'WRISTBAND_NOT_ACTIVE',
      wristbandStatus: 'SUSPENDED',
    });
  });

  it('follows the entry rule and the check-in window', async () => {
    const single = await activeSeries({ capacity: 10, entryRule: 'SINGLE_ENTRY' });
    const band = single.bands.GA![0]!;
    expect(allowedOf(await single.scan(band))).toBe(true);
    expect(allowedOf(await single.scan(band, 'EXIT'))).toBe(true);
    expect((await single.scan(band)).body.data!.checkIn).toMatchObject({ allowed: false, reason: 'ALREADY_USED' });

    const unlimited = await activeSeries({ capacity: 1, entryRule: 'UNLIMITED' });
    const u = unlimited.bands.GA![0]!;
    expect(allowedOf(await unlimited.scan(u))).toBe(true);
    expect(allowedOf(await unlimited.scan(u))).toBe(true);
    expect(await unlimited.metrics()).toMatchObject({ insideNow: 1, entries: 2 });

    const later = await activeSeries({ capacity: 10, startsAt: iso(30 * 24 * HOUR) });
    expect((await later.scan(later.bands.GA![0]!)).body.data!.checkIn).toMatchObject({
      allowed: false,
      reason: 'OUTSIDE_CHECKIN_WINDOW',
    });
  });

  it('keeps to the category limits and the series capacity', async () => {
    const s = await activeSeries({ capacity: 3, categoryLimits: [{ category: 'VIP', capacity: 1 }], bands: { VIP: 2, GA: 3 } });
    const [vip1, vip2] = s.bands.VIP!;
    expect(allowedOf(await s.scan(vip1!))).toBe(true);
    expect((await s.scan(vip2!)).body.data!.checkIn).toMatchObject({ allowed: false, reason: 'CATEGORY_CAPACITY_REACHED' });
    const [ga1, ga2, ga3] = s.bands.GA!;
    expect(allowedOf(await s.scan(ga1!))).toBe(true);
    expect(allowedOf(await s.scan(ga2!))).toBe(true);
    expect((await s.scan(ga3!)).body.data!.checkIn).toMatchObject({ allowed: false, reason: 'CAPACITY_REACHED' });
    expect(allowedOf(await s.scan(vip1!, 'EXIT'))).toBe(true);
    expect(allowedOf(await s.scan(vip2!))).toBe(true);
    expect((await s.metrics()).categories).toEqual([
      { category: 'GA', entries: 2, exits: 0, inside: 2, capacity: null, remaining: null },
      { category: 'VIP', entries: 2, exits: 1, inside: 1, capacity: 1, remaining: 0 },
    ]);
  });
});

describe('a category limit set while the series runs', () => {
  const SET_LIMIT = `mutation($s: ID!, $c: String!, $n: Int!) { setSeriesCategoryLimit(seriesId: $s, category: $c, capacity: $n) {
    categoryLimits { category capacity inside remaining } } }`;

  it('counts the wristbands of the category already inside, and their exits give places back', async () => {
    const s = await activeSeries({ capacity: 100, bands: { VIP: 6 } });
    const vip = s.bands.VIP!;
    for (const band of vip.slice(0, 3)) expect(allowedOf(await s.scan(band))).toBe(true);
    const added = await platform.data(SET_LIMIT, { s: s.id, c: 'VIP', n: 4 });
    expect(added.setSeriesCategoryLimit.categoryLimits).toEqual([{ category: 'VIP', capacity: 4, inside: 3, remaining: 1 }]);
    expect(allowedOf(await s.scan(vip[3]!))).toBe(true);
    expect((await s.scan(vip[4]!)).body.data!.checkIn).toMatchObject({ allowed: false, reason: 'CATEGORY_CAPACITY_REACHED' });
    // one of those inside before the limit leaves: its place is free again
    expect(allowedOf(await s.scan(vip[0]!, 'EXIT'))).toBe(true);
    expect(allowedOf(await s.scan(vip[4]!))).toBe(true);
    expect((await s.scan(vip[5]!)).body.data!.checkIn).toMatchObject({ allowed: false, reason: 'CATEGORY_CAPACITY_REACHED' });
  });

  it('may not go below those inside; set to them, it admits nobody of the category until one leaves', async () => {
    const s = await activeSeries({ capacity: 100, categoryLimits: [{ category: 'VIP', capacity: 10 }], bands: { VIP: 6 } });
    const vip = s.bands.VIP!;
    for (const band of vip.slice(0, 5)) expect(allowedOf(await s.scan(band))).toBe(true);
    const refused = await platform.request(SET_LIMIT, { s: s.id, c: 'VIP', n: 3 });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'CATEGORY_LIMIT_BELOW_INSIDE',
      field: 'capacity',
      inside: 5,
    });
    expect(refused.body.errors?.[0]?.message).toMatch(/5 wristbands of the category are inside/);
    const unchanged = await platform.data(`query($id: ID!) { eventSeries(id: $id) { categoryLimits { capacity inside } } }`, {
      id: s.id,
    });
    expect(unchanged.eventSeries.categoryLimits).toEqual([{ capacity: 10, inside: 5 }]);

    const stopped = await platform.data(SET_LIMIT, { s: s.id, c: 'VIP', n: 5 });
    expect(stopped.setSeriesCategoryLimit.categoryLimits).toEqual([{ category: 'VIP', capacity: 5, inside: 5, remaining: 0 }]);
    expect((await s.scan(vip[5]!)).body.data!.checkIn).toMatchObject({ allowed: false, reason: 'CATEGORY_CAPACITY_REACHED' });
    expect(allowedOf(await s.scan(vip[2]!, 'EXIT'))).toBe(true);
    expect(allowedOf(await s.scan(vip[5]!))).toBe(true);
    expect((await s.scan(vip[2]!)).body.data!.checkIn).toMatchObject({ allowed: false, reason: 'CATEGORY_CAPACITY_REACHED' });
  });

  it('waits for scans in flight, so none is counted twice or missed', async () => {
    const s = await activeSeries({ capacity: 100, bands: { VIP: 12 }, gates: 2 });
    const vip = s.bands.VIP!;
    const [scans, limit] = await Promise.all([
      Promise.all(vip.slice(0, 8).map((band, i) => s.scan(band, 'ENTRY', i % 2))),
      platform.data(SET_LIMIT, { s: s.id, c: 'VIP', n: 10 }),
    ]);
    expect(scans.filter((r) => r.body.errors)).toEqual([]);
    const admittedBefore = scans.filter(allowedOf).length;
    expect(admittedBefore).toBe(8);
    expect(limit.setSeriesCategoryLimit.categoryLimits[0].capacity).toBe(10);
    const rest = await Promise.all(vip.slice(8).map((band, i) => s.scan(band, 'ENTRY', i % 2)));
    expect(rest.filter(allowedOf)).toHaveLength(2);
    const { categoryLimits } = (
      await platform.data(`query($id: ID!) { eventSeries(id: $id) { categoryLimits { inside remaining } } }`, { id: s.id })
    ).eventSeries;
    expect(categoryLimits).toEqual([{ inside: 10, remaining: 0 }]);
  });
});

describe('concurrent scans', () => {
  it('never exceed the capacity of a series or a category', async () => {
    const s = await activeSeries({
      capacity: 8,
      categoryLimits: [{ category: 'VIP', capacity: 3 }],
      bands: { GA: 12, VIP: 8 },
      gates: 2,
    });
    const all = [...s.bands.VIP!, ...s.bands.GA!];
    const results = await Promise.all(all.map((nfcId, i) => s.scan(nfcId, 'ENTRY', i % 2)));
    expect(results.filter((r) => r.body.errors)).toEqual([]);
    const admitted = results.filter(allowedOf);
    expect(admitted).toHaveLength(8);
    const reasons = results.map((r) => r.body.data!.checkIn.reason).filter(Boolean);
    expect(reasons.every((r) => r === 'CAPACITY_REACHED' || r === 'CATEGORY_CAPACITY_REACHED')).toBe(true);
    const metrics = await s.metrics();
    expect(metrics).toMatchObject({ insideNow: 8, capacityRemaining: 0, entries: 8 });
    const vip = metrics.categories.find((c: { category: string }) => c.category === 'VIP');
    expect(vip.inside).toBeLessThanOrEqual(3);
  });

  it('admit one wristband once when it is scanned at several gates at the same moment', async () => {
    const s = await activeSeries({ capacity: 10, gates: 3 });
    const band = s.bands.GA![0]!;
    const results = await Promise.all([0, 1, 2, 0, 1, 2].map((gate) => s.scan(band, 'ENTRY', gate)));
    expect(results.filter(allowedOf)).toHaveLength(1);
    expect(await s.metrics()).toMatchObject({ insideNow: 1, entries: 1 });
  });
});

describe('a scanner device offline', () => {
  const UPLOAD = `mutation($scans: [OfflineScanInput!]!) { uploadOfflineScans(scans: $scans) {
    scanId outcome checkIn { allowed reason offline scannedAt gate { id } } conflictsWith { scanId }
  } }`;

  async function provisionDevice(gateIds: string[]) {
    const { registerDevice } = await platform.data(
      `mutation($o: ID!, $g: [ID!]!) { registerDevice(organizationId: $o, name: "Offline scanner", gateIds: $g) { provisioningToken } }`,
      { o: world.org.id, g: gateIds },
    );
    const provisioned = await platform.request(
      `mutation($t: String!) { provisionDevice(provisioningToken: $t) { credential } }`,
      { t: registerDevice.provisioningToken },
      { token: null },
    );
    return (provisioned.body.data as any).provisionDevice.credential as string;
  }

  it('uploads scans applied in time order, reports conflicts, and never counts an upload twice', async () => {
    const s = await activeSeries({ capacity: 10, gates: 2, bands: { GA: 2 } });
    const device = await provisionDevice(s.gates);
    const [band, other] = s.bands.GA!;
    const scan = (scanId: string, nfcId: string, gate: number, direction: string, minutesAgo: number) => ({
      scanId,
      seriesId: s.id,
      gateId: s.gates[gate],
      nfcId,
      direction,
      scannedAt: iso(-minutesAgo * 60_000),
    });
    // sent out of order: the server sorts them by the time they were made
    const batch = [
      scan('off-3', band!, 0, 'EXIT', 10),
      scan('off-1', band!, 0, 'ENTRY', 30),
      scan('off-2', band!, 1, 'ENTRY', 20), // the same wristband admitted at the other gate while inside
      scan('off-4', other!, 1, 'ENTRY', 5),
    ];
    const upload = () => platform.request<Record<string, any>>(UPLOAD, { scans: batch }, { token: device });
    const first = (await upload()).body.data!.uploadOfflineScans;
    expect(first.map((r: { scanId: string; outcome: string }) => [r.scanId, r.outcome])).toEqual([
      ['off-1', 'APPLIED'],
      ['off-2', 'CONFLICT'],
      ['off-3', 'APPLIED'],
      ['off-4', 'APPLIED'],
    ]);
    expect(first[1]).toMatchObject({
      checkIn: { allowed: false, reason: 'ALREADY_INSIDE', offline: true, gate: { id: s.gates[1] } },
      conflictsWith: { scanId: 'off-1' },
    });
    expect(first[0].checkIn.scannedAt).toBe(batch[1]!.scannedAt);
    const counted = await s.metrics();
    expect(counted).toMatchObject({ insideNow: 1, entries: 2, exits: 1 });

    const again = (await upload()).body.data!.uploadOfflineScans;
    expect(again.map((r: { outcome: string }) => r.outcome)).toEqual(['DUPLICATE', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE']);
    expect(again.map((r: { checkIn: unknown }) => r.checkIn)).toEqual(first.map((r: { checkIn: unknown }) => r.checkIn));
    expect(await s.metrics()).toEqual(counted);
  });

  it('refuses scan times in the future and oversized uploads, naming the field', async () => {
    const s = await activeSeries({ capacity: 10 });
    const device = await provisionDevice(s.gates);
    const future = {
      scanId: 'f-1',
      seriesId: s.id,
      gateId: s.gates[0],
      nfcId: s.bands.GA![0],
      direction: 'ENTRY',
      scannedAt: iso(HOUR),
    };
    const refused = await platform.request(UPLOAD, { scans: [future] }, { token: device });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scans[0].scannedAt' });
    const tooMany = Array.from({ length: 501 }, (_, i) => ({ ...future, scanId: `m-${i}`, scannedAt: iso(-HOUR) }));
    const oversized = await platform.request(UPLOAD, { scans: tooMany }, { token: device });
    expect(oversized.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scans' });
    expect((await s.metrics()).entries).toBe(0);
  });
});

describe('live series metrics', () => {
  it('are pushed through the gateway after every allowed scan', async () => {
    const s = await activeSeries({ capacity: 5, bands: { GA: 2 } });
    const stream = subscribe(
      platform.wsClient(),
      `subscription($id: ID!) { seriesMetricsUpdated(seriesId: $id) { insideNow capacityRemaining series { name event { title } } } }`,
      { id: s.id },
    );
    await new Promise((r) => setTimeout(r, 300));
    await s.scan(s.bands.GA![0]!);
    await s.scan('UNKNOWN'); // denied: changes nothing, pushes nothing
    await s.scan(s.bands.GA![1]!);
    const first = await stream.next(1, 5000);
    expect(first.data?.seriesMetricsUpdated).toMatchObject({
      insideNow: 1,
      capacityRemaining: 4,
      series: { event: { title: expect.stringMatching(/^Stage/) } },
    });
    const second = await stream.next(2, 5000);
    expect(second.data?.seriesMetricsUpdated).toMatchObject({ insideNow: 2, capacityRemaining: 3 });
    stream.unsubscribe();
  });
});

describe('another organisation', () => {
  it('can neither scan, verify, upload, read the log or metrics, nor subscribe to them', async () => {
    const s = await activeSeries({ capacity: 5 });
    const stranger = await signUp(platform, 'stranger');
    await createOrganization(platform, stranger, 'rival');
    const call = as(platform, stranger);
    const input = { seriesId: s.id, gateId: s.gates[0], nfcId: s.bands.GA![0], direction: 'ENTRY' };
    expect((await call(CHECK_IN, { input })).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await call(VERIFY, { input })).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const upload = await call(`mutation($scans: [OfflineScanInput!]!) { uploadOfflineScans(scans: $scans) { outcome } }`, {
      scans: [{ ...input, scanId: 'x-1', scannedAt: iso(-60_000) }],
    });
    expect(upload.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await call(METRICS, { id: s.id })).body.data).toEqual({ seriesMetrics: null });
    expect(
      (await call(`query($s: ID!) { checkIns(seriesId: $s) { totalCount edges { node { id } } } }`, { s: s.id })).body.data,
    ).toEqual({
      checkIns: { totalCount: 0, edges: [] },
    });
    const stream = subscribe(
      platform.wsClient({ authorization: `Bearer ${stranger.accessToken}` }),
      `subscription($id: ID!) { seriesMetricsUpdated(seriesId: $id) { insideNow } }`,
      { id: s.id },
    );
    const refused = await stream.next(1, 3000);
    expect(refused).toMatchObject({ data: null, errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    expect(await s.metrics()).toMatchObject({ entries: 0 });
  });
});
