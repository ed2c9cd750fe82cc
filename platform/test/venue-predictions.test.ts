import { VenueStatusChangedDocument } from '@eventgraph/sdk';
import { print } from 'graphql';
import { createOrganization, type Account } from './support/accounts';
import { changes, PLACE_QUERIES as Q, places, until } from './support/places';
import { useProcessEnv } from './support/process-env';
import { startTestPlatform, type TestPlatform } from './support/test-platform';
import { person } from './support/ticket-sales';

/**
 * The usual crowd of a venue (issue 15's PREDICTION) through the real gateway: learnt from what was observed in an
 * hour, at most once an hour, shown when nothing observed is current, never deciding openNow, giving way to what
 * users agree on. One sample is enough here (EVENTS_PREDICTION_MIN_SAMPLES, 3 by default): more would take weeks.
 * CI runs it on PGlite and on PostgreSQL with NATS.
 */
let platform: TestPlatform;
const people = {} as Record<'owner' | 'u1' | 'u2' | 'u3', Account>;
let org: string;
const { ok, venueWithEvent, venue, found, watch } = places(
  () => platform,
  () => people.owner,
  () => org,
);

useProcessEnv({ EVENTS_PREDICTION_MIN_SAMPLES: '1' });

beforeAll(async () => {
  platform = await startTestPlatform({ callerPolicies: {} as never });
  for (const name of ['owner', 'u1', 'u2', 'u3'] as const) people[name] = await person(platform, name);
  org = await createOrganization(platform, people.owner, 'predictions');
}, 240_000);
jest.setTimeout(120_000);
afterAll(async () => {
  await platform?.stop();
});

const HOUR = 3_600_000;

it('predicts the crowd observed this hour once nothing observed is current, without deciding openNow', async () => {
  // the test stays within one hour (Berlin's hours start with UTC's): a minute before the next, it waits for it
  const left = HOUR - (Date.now() % HOUR);
  if (left < 60_000) await new Promise((resolve) => setTimeout(resolve, left + 1_000));
  const hourEnd = new Date(Date.now() - (Date.now() % HOUR) + HOUR).toISOString();

  const { venueId, eventId } = await venueWithEvent();
  const closedDate = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  await ok(people.owner, Q.hours, { v: venueId, h: { weekly: [], exceptions: [{ date: closedDate, closed: true }] } });
  expect((await venue(venueId)).liveStatus).toBeNull(); // nothing observed yet

  // following the venue sets the organisation's status (MODERATE): the first observation of this hour
  const stream = await watch(print(VenueStatusChangedDocument), { venueId }, venueId);
  const before = stream.results.length;
  await ok(people.owner, Q.clear, { v: venueId });
  await until(() =>
    changes(stream)
      .slice(before)
      .some((c) => c.liveStatus?.source === 'PREDICTION'),
  );
  const predicted = (await venue(venueId)).liveStatus;
  expect(predicted).toMatchObject({
    source: 'PREDICTION',
    crowdLevel: 'MODERATE',
    open: null,
    waitMinutes: null,
    special: null,
    validUntil: hourEnd,
  });
  expect(predicted.confidence).toBeGreaterThan(0);
  expect(predicted.confidence).toBeLessThan(0.6);

  // a prediction never decides openNow: the hours (closed) do, on the venue and in search
  expect((await venue(venueId)).openNow).toBe(false);
  expect(await found({ organizationId: org, openNow: true })).not.toContain(eventId);

  // the organisation speaks again within the hour: the hour was sampled already, the model is unchanged
  await ok(people.owner, Q.status, { v: venueId, i: { open: true, crowdLevel: 'PACKED' } });
  expect((await venue(venueId)).openNow).toBe(true);
  await ok(people.owner, Q.clear, { v: venueId });
  expect((await venue(venueId)).liveStatus).toEqual(predicted);

  // what users agree on is observed, and wins over the usual crowd
  for (const who of [people.u1, people.u2, people.u3]) await ok(who, Q.report, { v: venueId, i: { crowdLevel: 'EMPTY' } });
  expect((await venue(venueId)).liveStatus).toMatchObject({ source: 'USER_REPORTS', crowdLevel: 'EMPTY' });
});
