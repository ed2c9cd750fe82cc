import { as } from './support/accounts';
import { useProcessEnv } from './support/process-env';
import { startTestPlatform, type TestPlatform } from './support/test-platform';
import { person, until } from './support/ticket-sales';

/**
 * An event's organiser contact through the real gateway (issue 15): set and changed by whoever may edit the event,
 * validated with coded errors and nothing written, shown to callers who identify themselves and not to anonymous
 * ones, in the owner's data export, and blanked by the events retention policy once the event ended (0 days
 * here) — the gateway's next read shows it gone, whatever the subgraph had cached — with the run recorded.
 * CI runs it on PGlite and on PostgreSQL with NATS.
 */
let platform: TestPlatform;
const ENV = { EVENTGRAPH_RETENTION_INTERVAL_MS: '300', EVENTS_RETENTION_CONTACT_DAYS: '0' };
const HOUR = 3_600_000;
const CONTACT = 'organizerContact { name email phone }';
const EVENT = `query($id: ID!) { event(id: $id) { id title ${CONTACT} } }`;
const RUNS = `query($policy: String) { retentionRuns(policy: $policy, first: 50) { edges { node {
  subgraph policy anonymised error } } } }`;

type Account = Awaited<ReturnType<typeof person>>;
let owner: Account;
let stranger: Account;
let venueId: string;

const ok = async (account: Account, query: string, variables: Record<string, unknown> = {}) => {
  const { body } = await as(platform, account)(query, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as Record<string, any>;
};
let n = 0;
const eventInput = (endsInMs: number, extra: Record<string, unknown> = {}) => ({
  venueId,
  title: `Jazz ${++n}`,
  slug: `jazz-${n}-${Date.now().toString(36)}`,
  startsAt: new Date(Date.now() - HOUR).toISOString(),
  endsAt: new Date(Date.now() + endsInMs).toISOString(),
  ...extra,
});
async function publishedEvent(endsInMs: number, organizerContact: Record<string, unknown>): Promise<string> {
  const { createEvent } = await ok(owner, `mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, {
    i: eventInput(endsInMs, { organizerContact }),
  });
  await ok(owner, `mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: createEvent.id });
  return createEvent.id;
}
const contactAs = async (account: Account | null, id: string) => {
  const { body } = account ? await as(platform, account)(EVENT, { id }) : await platform.request(EVENT, { id }, { token: null });
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return (body.data as any).event;
};

useProcessEnv(ENV);

beforeAll(async () => {
  // no rate limits: the test polls an event until the retention runner blanked its contact
  platform = await startTestPlatform({ callerPolicies: {} as never });
  owner = await person(platform, 'organiser');
  stranger = await person(platform, 'attendee');
  const org = (
    await platform.data(`mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`, {
      input: { name: 'contacts', slug: `contacts-${Date.now().toString(36)}`, ownerId: owner.id },
    })
  ).createOrganization.id as string;
  venueId = (
    await ok(owner, `mutation($i: CreateVenueInput!) { createVenue(input: $i) { id } }`, {
      i: { organizationId: org, name: 'Club', slug: `club-${Date.now().toString(36)}`, timeZone: 'Europe/Berlin' },
    })
  ).createVenue.id;
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

describe("an event's organiser contact", () => {
  it('is set by its organisation, normalised, and read by callers who identify themselves only', async () => {
    const id = await publishedEvent(30 * 24 * HOUR, {
      name: ' Box  office ',
      email: 'Tickets@Jazz.EXAMPLE',
      phone: '+49 30 1234-567',
    });
    const contact = { name: 'Box office', email: 'Tickets@jazz.example', phone: '+49301234567' };
    expect((await contactAs(owner, id)).organizerContact).toEqual(contact);
    expect((await contactAs(stranger, id)).organizerContact).toEqual(contact);
    // anonymous callers see the public event, not the contact
    expect(await contactAs(null, id)).toMatchObject({ id, organizerContact: null });

    const UPDATE = `mutation($id: ID!, $i: UpdateEventInput!) { updateEvent(id: $id, input: $i) { ${CONTACT} } }`;
    // the contact is written whole: a part left out is cleared
    expect((await ok(owner, UPDATE, { id, i: { organizerContact: { email: 'desk@jazz.example' } } })).updateEvent).toEqual({
      organizerContact: { name: null, email: 'desk@jazz.example', phone: null },
    });
    // someone who may not edit the event cannot set it
    const { body } = await as(platform, stranger)(UPDATE, { id, i: { organizerContact: { name: 'Mallory' } } });
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ok(owner, UPDATE, { id, i: { organizerContact: null } })).updateEvent).toEqual({ organizerContact: null });
  });

  it('refuses a malformed address or number with a coded error naming the field, writing nothing', async () => {
    const CREATE = `mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`;
    const refused = async (organizerContact: Record<string, unknown>) => {
      const input = eventInput(HOUR, { organizerContact });
      const { body } = await as(platform, owner)(CREATE, { i: input });
      const rows = await platform.subgraphs.events!.sql.query(`SELECT 1 FROM "Event" WHERE slug = $1`, [input.slug]);
      expect(rows).toHaveLength(0);
      expect(JSON.stringify(body.errors)).not.toMatch(/SELECT|INSERT|at .*\.ts/);
      return body.errors?.[0]?.extensions;
    };
    expect(await refused({ email: 'tickets at jazz.example' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'organizerContact.email',
    });
    expect(await refused({ phone: '030 1234567' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'organizerContact.phone' });
    expect(await refused({ name: 'x'.repeat(121) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'organizerContact.name' });
  });

  it("is in its owner's data export for their own events", async () => {
    const { createMyEvent } = await ok(
      stranger,
      `mutation($i: CreateMyEventInput!) { createMyEvent(input: $i) { id ${CONTACT} } }`,
      {
        i: {
          title: 'Garden party',
          slug: `garden-${Date.now().toString(36)}`,
          timeZone: 'Europe/Berlin',
          startsAt: new Date(Date.now() + 24 * HOUR).toISOString(),
          endsAt: new Date(Date.now() + 26 * HOUR).toISOString(),
          organizerContact: { name: 'Ada', phone: '+44 20 7946 0958' },
        },
      },
    );
    expect(createMyEvent.organizerContact).toEqual({ name: 'Ada', email: null, phone: '+442079460958' });
    const { exportMyData } = await ok(stranger, `{ exportMyData { events } }`);
    expect(exportMyData.events.ownEvents).toEqual([
      expect.objectContaining({ id: createMyEvent.id, contactName: 'Ada', contactEmail: null, contactPhone: '+442079460958' }),
    ]);
  });

  it('is blanked once the event ended, the gateway reads it so at once, and the run is recorded', async () => {
    // ends in a few seconds: until then the policy leaves it, and reads fill the subgraph's event cache (its rows
    // live for minutes: only the policy's event.updated makes the events subgraph forget the old one)
    const running = await publishedEvent(30 * 24 * HOUR, { email: 'info@jazz.example' });
    const ending = await publishedEvent(12_000, { name: 'Door', email: 'door@jazz.example' });
    for (const pause of [300, 300, 0]) {
      expect((await contactAs(stranger, ending)).organizerContact).toEqual({
        name: 'Door',
        email: 'door@jazz.example',
        phone: null,
      });
      await new Promise((resolve) => setTimeout(resolve, pause));
    }

    await until(
      'the ended event’s contact blanked',
      async () => (await contactAs(stranger, ending)).organizerContact === null,
      30_000,
    );
    const [row] = await platform.subgraphs.events!.sql.query<Record<string, unknown>>(
      `SELECT "contactName", "contactEmail", "contactPhone", title FROM "Event" WHERE id = $1::uuid`,
      [ending],
    );
    expect(row).toEqual({ contactName: null, contactEmail: null, contactPhone: null, title: expect.stringMatching(/^Jazz/) });
    expect((await contactAs(stranger, running)).organizerContact).toEqual({
      name: null,
      email: 'info@jazz.example',
      phone: null,
    });

    await until('a run that blanked it, recorded in users', async () => {
      const { retentionRuns } = await platform.data(RUNS, { policy: 'events.organizer-contacts' });
      return retentionRuns.edges.some(
        (e: { node: Record<string, unknown> }) =>
          e.node.subgraph === 'events' && (e.node.anonymised as number) >= 1 && e.node.error === null,
      );
    });
  });
});
