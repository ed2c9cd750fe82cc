import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { runRetentionPolicy, type Database } from '@eventgraph/runtime';
import { eventsRetention } from '../src/domain/retention';
import { PrismaClient } from '../src/generated/prisma/client';
import { eventsRetentionPolicies } from '../src/privacy/retention';
import { testDatabase } from '@eventgraph/runtime/test/support/test-database';

/**
 * The events retention policy on a real database (PGlite, or PostgreSQL with DATABASE_URL): organiser contacts of
 * events that ended more than 183 days before `now` are blanked in batches, each announced as event.updated in the
 * same transaction; running events, recent ones and events without a contact are left alone.
 */
const openedDatabase = testDatabase({
  name: 'events',
  prismaDir: join(__dirname, '..', 'prisma'),
  createClient: (adapter) => new PrismaClient({ adapter }),
});
let database: Database<PrismaClient>;
let db: PrismaClient;
const now = new Date('2027-09-01T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const [policy] = eventsRetentionPolicies(eventsRetention({}));
const run = (batchSize: number) => runRetentionPolicy(database.sql, 'events', policy!, batchSize, now);
const CONTACT = { contactName: 'Box office', contactEmail: 'tickets@example.org', contactPhone: '+49301234567' };

beforeAll(async () => {
  database = openedDatabase();
  db = database.client;
});

it('blanks organiser contacts 183 days after the event ended, in batches, announcing each event', async () => {
  const organizationId = randomUUID();
  const venue = await db.venue.create({ data: { organizationId, name: 'Hall', slug: 'hall', timeZone: 'Europe/Berlin' } });
  const event = (slug: string, endedDaysAgo: number, contact: Partial<typeof CONTACT> = CONTACT) =>
    db.event.create({
      data: {
        organizationId,
        venueId: venue.id,
        slug,
        title: slug,
        status: 'CLOSED',
        startsAt: daysAgo(endedDaysAgo + 1),
        endsAt: daysAgo(endedDaysAgo),
        ...contact,
      },
    });
  const old = await Promise.all([event('old-1', 400), event('old-2', 200), event('old-3', 184, { contactPhone: '+4930999999' })]);
  const recent = await event('recent', 182);
  const running = await event('running', -1);
  const without = await event('without', 300, {});
  const before = await db.outboxEvent.count({ where: { topic: 'event.updated' } });

  const summary = await run(2);
  // batches of two: 2 + 1, which ends the run
  expect(summary).toMatchObject({ subgraph: 'events', policy: 'events.organizer-contacts', anonymised: 3, deleted: 0 });
  expect(summary).toMatchObject({ batches: 2, error: null });

  for (const e of old) {
    const row = await db.event.findUniqueOrThrow({ where: { id: e.id } });
    expect(row).toMatchObject({ contactName: null, contactEmail: null, contactPhone: null, title: e.title, status: 'CLOSED' });
    expect(row.updatedAt.getTime()).toBeGreaterThan(e.updatedAt.getTime());
  }
  for (const kept of [recent, running])
    expect(await db.event.findUniqueOrThrow({ where: { id: kept.id } })).toMatchObject(CONTACT);
  expect((await db.event.findUniqueOrThrow({ where: { id: without.id } })).updatedAt).toEqual(without.updatedAt);

  const announced = await db.outboxEvent.findMany({ where: { topic: 'event.updated' }, orderBy: { id: 'asc' } });
  expect(announced).toHaveLength(before + 3);
  const payloads = announced.slice(before).map((o) => o.payload as Record<string, unknown>);
  expect(payloads.map((p) => p.eventId).sort()).toEqual(old.map((e) => e.id).sort());
  expect(payloads[0]).toMatchObject({
    organizationId,
    status: 'CLOSED',
    visibility: 'PUBLIC',
    changed: ['contactName', 'contactEmail', 'contactPhone'],
    rescheduled: false,
    venueChanged: false,
  });
  expect(payloads[0]!.startsAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
  const runs = await db.outboxEvent.findMany({ where: { topic: 'retention.run_completed' } });
  expect(runs.map((r) => (r.payload as { policy: string }).policy)).toContain('events.organizer-contacts');

  // a second run finds nothing more
  expect(await run(2)).toMatchObject({ anonymised: 0, batches: 1, error: null });
});

it("announces a user's own event with the events it stands for", async () => {
  const ownerUserId = randomUUID();
  const own = await db.event.create({
    data: {
      ownerUserId,
      origin: 'USER',
      slug: 'garden',
      title: 'Garden party',
      timeZone: 'Europe/Berlin',
      startsAt: daysAgo(301),
      endsAt: daysAgo(300),
      contactName: 'Ada',
    },
  });
  const before = await db.outboxEvent.count({ where: { topic: 'event.updated' } });
  expect(await run(10)).toMatchObject({ anonymised: 1 });
  const [announced] = await db.outboxEvent.findMany({ where: { topic: 'event.updated' }, skip: before });
  expect(announced!.payload).toMatchObject({ eventId: own.id, ownerUserId, organizationId: null, replaces: [] });
});
