import { VenueStatusChangedDocument, VenueStatusChangedInAreaDocument } from '@eventgraph/sdk';
import { print } from 'graphql';
import { createOrganization, type Account } from './support/accounts';
import { BERLIN_CELL, changes, PLACE_QUERIES as Q, places, until, type Stream } from './support/places';
import { useProcessEnv } from './support/process-env';
import { startTestPlatform, type TestPlatform } from './support/test-platform';
import { person } from './support/ticket-sales';

/**
 * What a venue shows lapses by itself, and its subscribers hear it through the real gateway (issue 15): when users'
 * reports age out of the window and when an event with gates ends (the organisation's own status: venue-places).
 * CI runs it on PGlite and on PostgreSQL with NATS.
 */
let platform: TestPlatform;
const people = {} as Record<'owner' | 'u1' | 'u2' | 'u3', Account>;
let org: string;
const { ok, venueWithEvent, venue, gatedSeries, statusBecomes, watch } = places(
  () => platform,
  () => people.owner,
  () => org,
);

// the lapse job looks every 200 ms here (15 s by default)
useProcessEnv({ EVENTS_STATUS_EXPIRY_INTERVAL_MS: '200' });

beforeAll(async () => {
  platform = await startTestPlatform({ callerPolicies: {} as never });
  for (const name of ['owner', 'u1', 'u2', 'u3'] as const) people[name] = await person(platform, name);
  org = await createOrganization(platform, people.owner, 'lapses');
}, 240_000);
jest.setTimeout(120_000);
afterAll(async () => {
  await platform?.stop();
});

/** Follows the venue and its cell, then clears the organisation's status the priming set. */
async function follow(venueId: string): Promise<Stream[]> {
  const streams = [
    await watch(print(VenueStatusChangedDocument), { venueId }, venueId),
    await watch(print(VenueStatusChangedInAreaDocument), { cell: BERLIN_CELL }, venueId),
  ];
  await ok(people.owner, Q.clear, { v: venueId });
  return streams;
}

const heard = (stream: Stream, venueId: string, check: (change: Record<string, any>) => boolean, from = 0) =>
  until(
    () =>
      changes(stream)
        .slice(from)
        .some((c) => c.venueId === venueId && check(c)),
    15_000,
  );

describe('lapses announced', () => {
  it("tells the venue's and the area's subscribers when users' reports age out of the window", async () => {
    const { venueId } = await venueWithEvent();
    const streams = await follow(venueId);
    for (const who of [people.u1, people.u2, people.u3]) {
      await ok(who, Q.report, { v: venueId, i: { crowdLevel: 'PACKED' } });
    }
    for (const stream of streams) await heard(stream, venueId, (c) => c.liveStatus?.source === 'USER_REPORTS');
    const before = streams.map((s) => s.results.length);

    // as if the 45 minutes of the window had passed: every stored time of the venue's reports moves back by them
    const sql = platform.subgraphs.events!.sql;
    await sql.query(`UPDATE "VenueStatusReport" SET "createdAt" = "createdAt" - interval '45 minutes' WHERE "venueId" = $1`, [
      venueId,
    ]);
    await sql.query(
      `UPDATE "VenueReportAggregate" SET "validUntil" = "validUntil" - interval '45 minutes',
         "updatedAt" = "updatedAt" - interval '45 minutes', "recomputeAt" = "recomputeAt" - interval '45 minutes'
       WHERE "venueId" = $1`,
      [venueId],
    );
    for (const [i, stream] of streams.entries()) {
      await heard(stream, venueId, (c) => c.changed.includes('reports') && c.liveStatus === null, before[i]);
    }
    expect((await venue(venueId)).liveStatus).toBeNull();
    // announced once: no second message for the same lapse
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const lapses = changes(streams[0]!)
      .slice(before[0])
      .filter((c) => c.changed.includes('reports'));
    expect(lapses).toHaveLength(1);
  });

  it('tells them when an event with gates ends and its crowd reading lapses', async () => {
    const { venueId, eventId } = await venueWithEvent();
    const streams = await follow(venueId);
    const gate = await gatedSeries(eventId, 2, new Date(Date.now() + 3_600_000));
    await gate.enter();
    await statusBecomes(venueId, (s) => s?.source === 'CHECK_IN_DATA' && s.crowdLevel === 'MODERATE', 'MODERATE');
    for (const stream of streams) await heard(stream, venueId, (c) => c.liveStatus?.source === 'CHECK_IN_DATA');
    const before = streams.map((s) => s.results.length);
    // the organiser ends the event early, in a second
    const endsAt = new Date(Date.now() + 1_000);
    await ok(people.owner, `mutation($id: ID!, $i: UpdateEventInput!) { updateEvent(id: $id, input: $i) { id } }`, {
      id: eventId,
      i: { endsAt: endsAt.toISOString() },
    });
    for (const [i, stream] of streams.entries()) {
      await heard(stream, venueId, (c) => c.changed.includes('checkIns') && c.liveStatus === null, before[i]);
    }
    expect(Date.now()).toBeGreaterThanOrEqual(endsAt.getTime());
    expect((await venue(venueId)).liveStatus).toBeNull();
  });
});
