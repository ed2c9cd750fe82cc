import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Database } from '@eventgraph/runtime';
import { PrismaClient } from '../src/generated/prisma/client';
import { eventFactsOf, notifyMatches } from '../src/notifications/matcher';
import { testDatabase } from '@eventgraph/runtime/test/support/test-database';

/**
 * The daily cap on a real database (PGlite, or PostgreSQL with DATABASE_URL, where matcher replicas really run at
 * the same time): however many events are matched at once, a user gets at most `dailyCap` notifications on their
 * own that day; the rest are folded into the digest, none lost.
 */
const openedDatabase = testDatabase({
  name: 'users',
  prismaDir: join(__dirname, '..', 'prisma'),
  createClient: (adapter) => new PrismaClient({ adapter }),
});
let database: Database<PrismaClient>;
let db: PrismaClient;

beforeAll(async () => {
  database = openedDatabase();
  db = database.client;
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
