import { as } from './support/accounts';
import { useProcessEnv } from './support/process-env';
import { startTestPlatform, type TestPlatform } from './support/test-platform';
import { eventOnSale, person, until } from './support/ticket-sales';

/**
 * Retention policies run by the subgraphs' runners (issue 15), through the real platform: ticket holders'
 * names and emails are blanked once the event's last series ended plus the grace (0 days here), a running
 * event's are kept, and every run of every policy is recorded and readable by platform admins only.
 * CI runs it on PGlite and on PostgreSQL with NATS.
 */
let platform: TestPlatform;
const ENV = {
  EVENTGRAPH_RETENTION_INTERVAL_MS: '300',
  ACCESS_RETENTION_HOLDER_GRACE_DAYS: '0',
};
const RUNS = `query($policy: String) { retentionRuns(policy: $policy, first: 50) { totalCount edges { node {
  subgraph policy startedAt finishedAt deleted anonymised batches error } } } }`;

async function eventWithHolders(owner: Awaited<ReturnType<typeof person>>, org: string, hoursAgo: number, tag: string) {
  const ok = async (q: string, v: Record<string, unknown>) => {
    const { body } = await as(platform, owner)(q, v);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data as Record<string, any>;
  };
  const eventId = await eventOnSale(platform, ok, org, 50);
  await ok(`mutation($i: CreateEventSeriesInput!) { createEventSeries(input: $i) { id } }`, {
    i: {
      eventId,
      name: `night ${tag}`,
      startsAt: new Date(Date.now() - (hoursAgo + 3) * 3_600_000).toISOString(),
      endsAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
      capacity: 50,
    },
  });
  await ok(`mutation($e: ID!, $d: String!) { importTickets(eventId: $e, source: "tix", format: CSV, data: $d) { committed } }`, {
    e: eventId,
    d: `external_id,category,holder_name,holder_email\n${tag}-1,GA,Ada ${tag},ada-${tag}@example.com\n`,
  });
  return eventId;
}

const holderOf = async (eventId: string) =>
  (
    await platform.subgraphs.access!.sql.query<{ holderName: string | null; holderEmail: string | null }>(
      `SELECT "holderName", "holderEmail" FROM "Ticket" WHERE "eventId" = $1::uuid`,
      [eventId],
    )
  )[0];

useProcessEnv(ENV);

beforeAll(async () => {
  platform = await startTestPlatform();
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

describe('retention', () => {
  it("blanks the holders of an event that ended, keeps a running event's, and records every run", async () => {
    const owner = await person(platform, 'owner');
    const org = (
      await platform.data(`mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`, {
        input: { name: 'retention', slug: `retention-${Date.now().toString(36)}`, ownerId: owner.id },
      })
    ).createOrganization.id as string;
    const ended = await eventWithHolders(owner, org, 2, 'ended');
    const running = await eventWithHolders(owner, org, -5, 'running');

    await until('the ended event’s holder blanked', async () => (await holderOf(ended))?.holderName === null, 15_000);
    expect(await holderOf(ended)).toEqual({ holderName: null, holderEmail: null });
    expect(await holderOf(running)).toEqual({ holderName: 'Ada running', holderEmail: 'ada-running@example.com' });

    let runs: Array<Record<string, any>> = [];
    await until('a run that anonymised it, recorded in users', async () => {
      const { retentionRuns } = await platform.data(RUNS, { policy: 'access.ticket-holders' });
      runs = retentionRuns.edges.map((e: { node: unknown }) => e.node);
      return runs.some((r) => r.anonymised >= 1);
    });
    const run = runs.find((r) => r.anonymised >= 1)!;
    expect(run).toMatchObject({ subgraph: 'access', policy: 'access.ticket-holders', error: null });
    expect(new Date(run.finishedAt).getTime()).toBeGreaterThanOrEqual(new Date(run.startedAt).getTime());

    // every subgraph's policies run at start; their records reach users over the bus, each in its own time
    const everyPolicy = [
      'access.check-ins',
      'access.ticket-holders',
      'events.organizer-contacts',
      'ingest.staging',
      'ingest.fetch-runs',
      'ingest.raw-contacts',
      'users.webhook-deliveries',
      'users.notifications',
    ];
    let policies = new Set<string>();
    await until('a recorded run of every policy', async () => {
      const found = await Promise.all(everyPolicy.map((policy) => platform.data(RUNS, { policy })));
      policies = new Set(
        found.flatMap(({ retentionRuns }) => retentionRuns.edges.map((e: { node: { policy: string } }) => e.node.policy)),
      );
      return everyPolicy.every((policy) => policies.has(policy));
    });
    for (const policy of everyPolicy) expect(policies).toContain(policy);
  });

  it('shows the runs to platform admins only', async () => {
    const user = await person(platform, 'curious');
    const { body } = await as(platform, user)(RUNS, {});
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = (await platform.request(RUNS, {}, { token: null })).body;
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
