import { createDemoWorld } from './support/demo-data';
import { startTestPlatform, subscribe, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;

beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createDemoWorld(platform);
});
afterAll(() => platform?.stop());

describe('a query through the gateway', () => {
  it('crosses all four subgraphs in one request', async () => {
    const data = await platform.data(
      `query($id: ID!) {
        event(id: $id) {
          title status
          venue { name timeZone }
          organization { name memberships { totalCount edges { node { role user { displayName } } } } }
          series { name status capacity gates { name direction } }
          gates { name }
          sources { name kind }
        }
      }`,
      { id: world.event.id },
    );
    expect(data.event).toEqual({
      title: 'Summer Sound',
      status: 'DRAFT',
      venue: { name: 'Riverside Park', timeZone: 'Europe/Berlin' },
      organization: {
        name: world.org.name,
        memberships: { totalCount: 1, edges: [{ node: { role: 'OWNER', user: { displayName: 'Olive Owner' } } }] },
      },
      series: [{ name: 'Day 1', status: 'ACTIVE', capacity: 2, gates: [{ name: 'Main', direction: 'BOTH' }] }],
      gates: [{ name: 'Main' }],
      sources: [{ name: 'City listings', kind: 'ICAL' }],
    });
  });

  it('extends an organisation with the venues and events owned by the events subgraph', async () => {
    const data = await platform.data(
      `query($id: ID!) { organization(id: $id) { name venues { name } events { totalCount edges { node { title } } } } }`,
      { id: world.org.id },
    );
    expect(data.organization).toEqual({
      name: world.org.name,
      venues: [{ name: 'Riverside Park' }],
      events: { totalCount: 1, edges: [{ node: { title: 'Summer Sound' } }] },
    });
  });
});

describe('a federated subscription through the gateway', () => {
  const CHECK_INS = `subscription($seriesId: ID!) {
    checkInRecorded(seriesId: $seriesId) {
      allowed reason direction
      gate { name }
      wristband { category }
      series { name event { title venue { name } organization { name } } }
    }
  }`;
  const CHECK_IN = `mutation($input: CheckInInput!) { checkIn(input: $input) { allowed reason } }`;

  it('delivers a check-in made by a mutation, with fields from events and users resolved per event', async () => {
    const stream = subscribe(platform.wsClient(), CHECK_INS, { seriesId: world.series.id });
    await waitForUpstreams(platform, 1);
    const { checkIn } = await platform.data(CHECK_IN, {
      input: { seriesId: world.series.id, gateId: world.gate.id, nfcId: world.wristband.nfcId, direction: 'ENTRY' },
    });
    expect(checkIn).toEqual({ allowed: true, reason: null });
    const result = await stream.next(1, 5000);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      checkInRecorded: {
        allowed: true,
        reason: null,
        direction: 'ENTRY',
        gate: { name: 'Main' },
        wristband: { category: 'GA' },
        series: {
          name: 'Day 1',
          event: { title: 'Summer Sound', venue: { name: 'Riverside Park' }, organization: { name: world.org.name } },
        },
      },
    });

    // a denied scan (already inside) is delivered too, with its reason
    await platform.data(CHECK_IN, {
      input: { seriesId: world.series.id, gateId: world.gate.id, nfcId: world.wristband.nfcId, direction: 'ENTRY' },
    });
    const denied = await stream.next(2, 5000);
    expect(denied.data?.checkInRecorded).toMatchObject({ allowed: false, reason: 'ALREADY_INSIDE' });
    stream.unsubscribe();
    await waitForUpstreams(platform, 0);
  });

  it('shares one upstream subscription between identical subscribers and closes it when the last leaves', async () => {
    const a = subscribe(platform.wsClient(), CHECK_INS, { seriesId: world.series.id });
    const b = subscribe(platform.wsClient(), CHECK_INS, { seriesId: world.series.id });
    await waitForUpstreams(platform, 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(platform.gateway.engine.upstreamCount()).toBe(1);
    await platform.data(CHECK_IN, {
      input: { seriesId: world.series.id, gateId: world.gate.id, nfcId: 'UNKNOWN-TAG', direction: 'ENTRY' },
    });
    const [ra, rb] = await Promise.all([a.next(1), b.next(1)]);
    expect(ra.data?.checkInRecorded).toMatchObject({ allowed: false, reason: 'UNKNOWN_WRISTBAND', wristband: null });
    expect(rb).toEqual(ra);
    a.unsubscribe();
    await new Promise((r) => setTimeout(r, 100));
    expect(platform.gateway.engine.upstreamCount()).toBe(1);
    b.unsubscribe();
    await waitForUpstreams(platform, 0);
  });

  it('answers an invalid subscription with a graphql-ws error and a stable code', async () => {
    const stream = subscribe(platform.wsClient(), `subscription { checkInRecorded(seriesId: "x") { nope } }`);
    await expect(stream.next(1, 3000)).rejects.toThrow(/GRAPHQL_VALIDATION_FAILED|subscription ended/);
    expect(JSON.stringify(stream.error)).toContain('GRAPHQL_VALIDATION_FAILED');
  });
});

async function waitForUpstreams(p: TestPlatform, count: number, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (p.gateway.engine.upstreamCount() !== count) {
    if (Date.now() > deadline)
      throw new Error(`expected ${count} upstream subscriptions, have ${p.gateway.engine.upstreamCount()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  // the gateway counts an upstream once it has asked for it; the subgraph listens to the bus a moment later
  // (graphql-ws does not acknowledge a subscription), so a scan made at once could go unseen
  if (count > 0) await new Promise((r) => setTimeout(r, 150));
}
