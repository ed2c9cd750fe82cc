import DataLoader from 'dataloader';
import { loaderById, type Sql } from '@eventgraph/runtime';
import type { AccessDb } from '../context';
import { LIVE_STATUSES } from '../domain/waitlist';
import type { Hold } from '../generated/prisma/client';

/**
 * Per-request loaders of waitlists (spread into the sales loaders): how many live entries are ahead of each
 * entry (null once it left the line), and the holds that are offers.
 */
export function waitlistLoaders(db: AccessDb, sql: Sql) {
  return {
    waitlistAhead: new DataLoader<string, number | null>(async (ids) => {
      const rows = await sql.query<{ id: string; ahead: number }>(
        `SELECT w.id, (SELECT count(*) FROM "WaitlistEntry" x
                       WHERE x."ticketTypeId" = w."ticketTypeId" AND x.status = ANY($2::"WaitlistStatus"[]) AND x.line < w.line)::int AS ahead
         FROM "WaitlistEntry" w WHERE w.id = ANY($1::uuid[]) AND w.status = ANY($2::"WaitlistStatus"[])`,
        [ids, LIVE_STATUSES],
      );
      return ids.map((id) => rows.find((r) => r.id === id)?.ahead ?? null);
    }),
    hold: loaderById<Hold>((ids) => db.hold.findMany({ where: { id: { in: [...ids] } } })),
  };
}
