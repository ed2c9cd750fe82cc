import type { ConsumerServices } from '@eventgraph/runtime';
import type { EventsDb } from './context';

/**
 * Who follows whom among users, as the users subgraph announces it (`follow.changed`: followerId, targetType,
 * targetId, following, version). Events keeps only user → user follows: friends (mutual follows) see each
 * other's FRIENDS events. The payload is the new state, so a redelivered event changes nothing; its version
 * orders the changes of one pair, so an older one arriving late (a redelivery after a failure) is ignored.
 */
export const projectUserFollows = ({ db, bus, group }: ConsumerServices<EventsDb>) =>
  bus.consume!(group('user-follows'), 'follow.changed', async (event) => {
    const { followerId, targetType, targetId, following, version } = event.payload as Record<string, unknown>;
    if (targetType !== 'USER' || typeof followerId !== 'string' || typeof targetId !== 'string') return;
    if (typeof following !== 'boolean') return;
    await db.$transaction(async (tx) => {
      // announcements from before versions existed apply as they come
      if (typeof version === 'number') {
        const newer = await tx.$executeRawUnsafe(
          `INSERT INTO "UserFollowVersion" ("followerId", "followeeId", "version") VALUES ($1::uuid, $2::uuid, $3::bigint)
           ON CONFLICT ("followerId", "followeeId") DO UPDATE SET "version" = EXCLUDED."version"
           WHERE "UserFollowVersion"."version" < EXCLUDED."version"`,
          followerId,
          targetId,
          version,
        );
        if (newer === 0) return;
      }
      if (following) {
        await tx.userFollow.upsert({
          where: { followerId_followeeId: { followerId, followeeId: targetId } },
          create: { followerId, followeeId: targetId },
          update: {},
        });
      } else {
        await tx.userFollow.deleteMany({ where: { followerId, followeeId: targetId } });
      }
    });
  });
