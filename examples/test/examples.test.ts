import WebSocket from 'ws';
import { createEventgraphClient, type EventgraphClient } from '@eventgraph/sdk';
import { createDemoWorld } from '../../platform/test/support/demo-data';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';
import { trackLiveSubscriptions, waitForLive, waitForNoSubscriptions } from '../../sdk/test/support';
import { main as liveDashboard } from '../live-dashboard';

let platform: TestPlatform;
let client: EventgraphClient;

beforeAll(async () => {
  platform = await startTestPlatform();
  trackLiveSubscriptions(platform);
  client = createEventgraphClient({
    url: platform.gateway.url,
    credential: platform.devToken,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
});
afterAll(async () => {
  await client?.close();
  await platform?.stop();
});

/** collects what an example prints */
function output() {
  const lines: string[] = [];
  return { lines, print: (line: string) => void lines.push(line), text: () => lines.join('\n') };
}

// graphql-ws does not acknowledge subscriptions: the tests tell the examples when theirs is live in the subgraph
const liveEventChanges = () => waitForLive(platform, 'event.*');

// every example must end its subscriptions: nothing stays open between tests
afterEach(() => waitForNoSubscriptions(platform));

describe('live-dashboard', () => {
  it('creates a demo organisation when none is given and shows the changes it makes', async () => {
    const out = output();
    const result = await liveDashboard({ client, print: out.print, ready: liveEventChanges });
    expect(out.lines[0]).toMatch(/^No organisation given: created demo organisation "Demo Festival \w+" \(.+\)$/);
    expect(result.changes.map((c) => [c.kind, c.event?.status])).toEqual([
      ['CREATED', 'DRAFT'],
      ['STATUS_CHANGED', 'PUBLISHED'],
      ['STATUS_CHANGED', 'ON_SALE'],
    ]);
    expect(out.text()).toMatch(/created — Night Market at Riverside Park \(2027-09-04\)/);
    expect(out.text()).toMatch(/now ON_SALE — Night Market at Riverside Park/);
  });

  it('lists the events of a given organisation, then follows its changes until stopped', async () => {
    const world = await createDemoWorld(platform);
    const out = output();
    const abort = new AbortController();
    const running = liveDashboard({
      client,
      print: out.print,
      organizationId: world.org.id,
      signal: abort.signal,
      ready: liveEventChanges,
    });
    await liveEventChanges();
    await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { id } }`, { id: world.event.id });
    const deadline = Date.now() + 5000;
    while (!out.lines.some((l) => l.includes('now PUBLISHED'))) {
      if (Date.now() > deadline) throw new Error(`no change shown:\n${out.text()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    abort.abort();
    const result = await running;
    expect(out.lines).toContain('  DRAFT     Summer Sound at Riverside Park (2027-07-01)');
    expect(result.changes.map((c) => c.event?.status)).toEqual(['PUBLISHED']);
  });
});
