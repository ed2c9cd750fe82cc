import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { dropSchemas, openDatabase, type Database, type DatabaseLocation } from '@eventgraph/runtime';
import { PrismaClient } from '../src/generated/prisma/client';
import { eventFactsOf, notifyMatches } from '../src/notifications/matcher';

/**
 * The daily cap on a real database (PGlite, or PostgreSQL with DATABASE_URL, where matcher replicas really run at
 * the same time): however many events are matched at once, a user gets at most `dailyCap` notifications on their
 * own that day; the rest are folded into the digest, none lost.
 */
const schema = `t${randomUUID().slice(0, 8)}_users`;
const location: DatabaseLocation = process.env.DATABASE_URL
  ? { kind: 'server', url: process.env.DATABASE_URL, schema }
  : { kind: 'embedded', dataDir: 'memory' };
let database: Database<PrismaClient>;
let db: PrismaClient;

beforeAll(async () => {
  database = await openDatabase({
    name: 'users',
    prismaDir: join(__dirname, '..', 'prisma'),
    location,
    createClient: (adapter) => new PrismaClient({ adapter }),
  });
  db = database.client;
});

afterAll(async () => {
  await database.close();
  if (location.kind === 'server') await dropSchemas(location.url, schema);
});

// the real clock: the cap counts rows by the time the database wrote them
const now = new Date();
const jazzEvent = (n: number) =>
  eventFactsOf(
    {
      eventId: randomUUID(),
      title: `Jazz night ${n}`,
      visibility: 'PUBLIC',
      status: 'PUBLISHED',
      startsAt: new Date(now.getTime() + 10 * 86_400_000).toISOString(),
      categories: ['music'],
    },
    now,
  )!;

it('lets events matched at the same time take at most the daily cap, folding the rest into the digest', async () => {
  const users = await Promise.all(
    [1, 2].map((n) => db.user.create({ data: { email: `cap-${n}-${randomUUID()}@example.org`, displayName: `Cap ${n}` } })),
  );
  await db.notificationPreference.createMany({
    data: users.map((u) => ({ userId: u.id, categories: ['music'], dailyCap: 2 })),
  });
  const events = Array.from({ length: 20 }, (_, n) => jazzEvent(n));

  const written = await Promise.all(events.map((event) => notifyMatches(database.sql, event, now)));

  expect(written.reduce((sum, n) => sum + n, 0)).toBe(events.length * users.length);
  for (const user of users) {
    const rows = await db.notification.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(events.length);
    expect(rows.filter((r) => !r.inDigest)).toHaveLength(2);
  }
});
