/**
 * Search decides openNow in SQL (venueOpenSql in src/search-sql.ts, with PostgreSQL's zone data), while
 * src/domain/opening-hours.ts stays the rule: here both judge the same venues at every half hour across both
 * DST changes of a year, in zones west and east, with nights past midnight and exceptions. On PGlite, or with
 * DATABASE_URL in a schema of its own on the PostgreSQL server.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Database } from '@eventgraph/runtime';
import { checkOpeningHours, isOpenAt, type OpeningHours, type OpeningHoursInput } from '../src/domain/opening-hours';
import { Prisma, PrismaClient } from '../src/generated/prisma/client';
import { venueOpenSql } from '../src/search-sql';
import { storeHours } from '../src/venue-places';
import { testDatabase } from '@eventgraph/runtime/test/support/test-database';

const openedDatabase = testDatabase({
  name: 'events',
  prismaDir: join(__dirname, '..', 'prisma'),
  createClient: (adapter) => new PrismaClient({ adapter }),
});
let database: Database<PrismaClient>;

beforeAll(async () => {
  database = openedDatabase();
});

const NIGHTS: OpeningHoursInput = {
  weekly: [
    { weekday: 'FR', opens: '22:00', closes: '05:00' },
    { weekday: 'SA', opens: '22:00', closes: '05:00' },
    { weekday: 'SU', opens: '12:00', closes: '14:00' },
    { weekday: 'TU', opens: '01:30', closes: '03:00' },
    { weekday: 'WE', opens: '18:00', closes: '24:00' },
  ],
  exceptions: [
    { date: '2027-03-27', closed: true },
    {
      date: '2027-10-29',
      intervals: [
        { opens: '12:00', closes: '13:00' },
        { opens: '23:00', closes: '02:30' },
      ],
    },
    { date: '2027-11-07', intervals: [{ opens: '00:00', closes: '24:00' }] },
  ],
};

const VENUES: { zone: string; hours: OpeningHoursInput }[] = [
  { zone: 'Europe/Berlin', hours: NIGHTS },
  { zone: 'America/New_York', hours: NIGHTS },
  { zone: 'Australia/Adelaide', hours: NIGHTS },
  { zone: 'Asia/Kolkata', hours: { weekly: [{ weekday: 'MO', opens: '09:00', closes: '17:30' }] } },
  { zone: 'UTC', hours: { weekly: [] } },
];

it('openNow in SQL agrees with the domain at every half hour across the DST changes of 2027', async () => {
  const db = database.client;
  const venues: { id: string; zone: string; hours: OpeningHours }[] = [];
  for (const [n, v] of VENUES.entries()) {
    const venue = await db.venue.create({
      data: { organizationId: randomUUID(), name: `V${n}`, slug: `v${n}`, timeZone: v.zone },
    });
    const hours = checkOpeningHours(v.hours);
    await db.$transaction((tx) => storeHours(tx, venue.id, hours));
    venues.push({ id: venue.id, zone: v.zone, hours });
  }
  const weekends = [
    ['2027-03-25T00:00:00Z', '2027-03-30T00:00:00Z'], // Europe springs forward on the 28th
    ['2027-03-12T00:00:00Z', '2027-03-16T00:00:00Z'], // the United States on the 14th
    ['2027-04-02T00:00:00Z', '2027-04-05T00:00:00Z'], // Adelaide falls back on the 4th
    ['2027-10-27T00:00:00Z', '2027-11-09T00:00:00Z'], // Europe falls back on 31 October, the United States on 7 November
  ];
  let checked = 0;
  for (const [from, to] of weekends) {
    for (let t = Date.parse(from!); t < Date.parse(to!); t += 30 * 60_000) {
      const at = new Date(t);
      const rows = await db.$queryRaw<{ id: string }[]>(
        Prisma.sql`SELECT v."id" FROM "Venue" v WHERE ${venueOpenSql(Prisma.sql`v`, at)}`,
      );
      const inSql = new Set(rows.map((r) => r.id));
      for (const v of venues) {
        const expected = isOpenAt(v.hours, v.zone, at);
        if (inSql.has(v.id) !== expected)
          throw new Error(`${v.zone} at ${at.toISOString()}: SQL ${!expected}, domain ${expected}`);
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThan(4000);
});

it("the organisation's live status while valid decides over the hours", async () => {
  const db = database.client;
  const venue = await db.venue.create({
    data: { organizationId: randomUUID(), name: 'Status', slug: 'status', timeZone: 'Europe/Berlin' },
  });
  await db.$transaction((tx) =>
    storeHours(tx, venue.id, checkOpeningHours({ weekly: [{ weekday: 'MO', opens: '00:00', closes: '24:00' }] })),
  );
  const monday = new Date('2027-06-14T10:00:00Z');
  const open = async (at: Date) =>
    (
      await db.$queryRaw<{ open: boolean }[]>(
        Prisma.sql`SELECT ${venueOpenSql(Prisma.sql`v`, at)} AS open FROM "Venue" v WHERE v."id" = ${venue.id}::uuid`,
      )
    )[0]!.open;
  expect(await open(monday)).toBe(true);
  await db.venueStatus.create({
    data: { venueId: venue.id, open: false, validUntil: new Date(monday.getTime() + 3_600_000), setBy: 'test' },
  });
  expect(await open(monday)).toBe(false);
  expect(await open(new Date(monday.getTime() + 3_600_000))).toBe(true); // lapsed: the hours again
  await db.venueStatus.update({ where: { venueId: venue.id }, data: { open: null } });
  expect(await open(monday)).toBe(true); // a status that says nothing of opening leaves it to the hours
});
