import { issueAccessToken } from '@eventgraph/runtime';
import type { Account } from './accounts';
import type { TestPlatform } from './test-platform';

/** Helpers of the ticket sales tests: people, organisations and events on sale, made through the gateway. */
const HOUR = 3_600_000;
let tag = 0;

/** A user made by the platform service, signed in with an access token of the platform's own secret. */
export async function person(platform: TestPlatform, name: string): Promise<Account> {
  const { createUser } = await platform.data(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
    input: { email: `${name}-${Date.now().toString(36)}-${tag++}@example.com`, displayName: name },
  });
  const { token } = await issueAccessToken(createUser.id, platform.settings.EVENTGRAPH_JWT_SECRET, 3600);
  return { id: createUser.id, email: '', password: '', accessToken: token, refreshToken: '', clientToken: '' };
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * An event of `organizationId` at a venue holding `capacity`, moved to `status` (ON_SALE, or PUBLISHED) and
 * known so to access, with its venue. `ok` runs a call as the organisation's owner.
 */
export async function eventOnSale(
  platform: TestPlatform,
  ok: (query: string, variables: Record<string, unknown>) => Promise<Record<string, any>>,
  organizationId: string,
  capacity: number,
  status = 'ON_SALE',
): Promise<string> {
  const n = tag++;
  const { createVenue } = await ok(`mutation($i: CreateVenueInput!) { createVenue(input: $i) { id } }`, {
    i: {
      organizationId,
      name: `Hall ${n}`,
      slug: `hall-${n}-${Date.now().toString(36)}`,
      timeZone: 'Europe/Berlin',
      maxCapacity: capacity,
    },
  });
  const startsAt = Date.now() + 30 * 24 * HOUR;
  const { createEvent } = await ok(`mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, {
    i: {
      venueId: createVenue.id,
      title: `Night ${n}`,
      slug: `night-${n}-${Date.now().toString(36)}`,
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + 6 * HOUR).toISOString(),
    },
  });
  for (const to of ['PUBLISHED', 'ON_SALE'].slice(0, status === 'ON_SALE' ? 2 : 1))
    await ok(`mutation($id: ID!, $to: EventStatus!) { transitionEvent(id: $id, to: $to) { status } }`, {
      id: createEvent.id,
      to,
    });
  const sql = platform.subgraphs.access!.sql;
  await until('the event reaching access', async () => {
    const [row] = await sql.query<{ status: string }>(`SELECT status FROM "KnownEvent" WHERE "eventId" = $1::uuid`, [
      createEvent.id,
    ]);
    return row?.status === status;
  });
  await until(
    'the venue reaching access',
    async () => (await sql.query(`SELECT 1 FROM "KnownVenue" WHERE "venueId" = $1::uuid`, [createVenue.id])).length === 1,
  );
  return createEvent.id;
}
