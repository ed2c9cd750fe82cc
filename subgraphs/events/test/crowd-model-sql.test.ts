import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Database } from '@eventgraph/runtime';
import { testDatabase } from '@eventgraph/runtime/test/support/test-database';
import { predictionsOf, sampleStandingCrowds } from '../src/crowd-model';
import { PrismaClient } from '../src/generated/prisma/client';

/**
 * Standing sources teach the model of usual crowds every hour they hold, once per hour of the venue, on a real
 * database (PGlite, or PostgreSQL with DATABASE_URL).
 */
const openedDatabase = testDatabase({
  name: 'events',
  prismaDir: join(__dirname, '..', 'prisma'),
  createClient: (adapter) => new PrismaClient({ adapter }),
});
let database: Database<PrismaClient>;
beforeAll(() => {
  database = openedDatabase();
});

const HOUR = 3_600_000;
// a Monday, 18:10 in Berlin (CET)
const monday = new Date('2027-01-11T17:10:00Z');
const at = (hours: number) => new Date(monday.getTime() + hours * HOUR);

async function venue(name: string) {
  return database.client.venue.create({
    data: { organizationId: randomUUID(), name, slug: `${name}-${randomUUID()}`, timeZone: 'Europe/Berlin' },
  });
}
const modelOf = (venueId: string) =>
  database.client.venueCrowdModel.findMany({ where: { venueId }, orderBy: { hourOfWeek: 'asc' } });

it("samples an organisation's standing status once per hour it holds, and reports' aggregate likewise", async () => {
  const bar = await venue('bar');
  const club = await venue('club');
  const lapsed = await venue('lapsed');
  const db = database.client;
  await db.venueStatus.create({ data: { venueId: bar.id, crowdLevel: 'BUSY', validUntil: at(3), setBy: 'user:x' } });
  await db.venueStatus.create({ data: { venueId: lapsed.id, crowdLevel: 'PACKED', validUntil: at(-1), setBy: 'user:x' } });
  await db.venueReportAggregate.create({
    data: { venueId: club.id, crowdLevel: 'QUIET', confidence: 0.5, validUntil: at(3), updatedAt: at(0), recomputeAt: at(1) },
  });

  for (const hours of [0, 0.5, 1, 2.2]) await sampleStandingCrowds(db, at(hours));

  // Monday 18:00, 19:00 and 20:00 in Berlin: hours 18, 19 and 20 of the week, one sample each
  expect((await modelOf(bar.id)).map((m) => [m.hourOfWeek, m.samples, m.level])).toEqual([
    [18, 1, 3],
    [19, 1, 3],
    [20, 1, 3],
  ]);
  expect((await modelOf(club.id)).map((m) => [m.hourOfWeek, m.samples, m.level])).toEqual([
    [18, 1, 1],
    [19, 1, 1],
    [20, 1, 1],
  ]);
  expect(await modelOf(lapsed.id)).toEqual([]);
});

it('predicts the usual crowd once the same hour of the week was sampled on enough days', async () => {
  const hall = await venue('hall');
  const db = database.client;
  for (const week of [0, 1, 2]) {
    const start = at(week * 24 * 7);
    await db.venueStatus.upsert({
      where: { venueId: hall.id },
      create: { venueId: hall.id, crowdLevel: 'MODERATE', validUntil: new Date(start.getTime() + HOUR), setBy: 'user:x' },
      update: { crowdLevel: 'MODERATE', validUntil: new Date(start.getTime() + HOUR) },
    });
    // the prediction needs three samples of this hour: none before the third
    expect(await predictionsOf(db, [hall], start)).toEqual([null]);
    await sampleStandingCrowds(db, start);
  }
  const [prediction] = await predictionsOf(db, [hall], at(3 * 24 * 7));
  expect(prediction).toMatchObject({ source: 'PREDICTION', crowdLevel: 'MODERATE', open: null });
});
