import type { ConsumerServices } from '@eventgraph/runtime';
import type { EventsDb } from './context';

/**
 * Who follows whom among users, as the users subgraph announces it (`follow.changed`: followerId, targetType,
 * targetId, following). Events keeps only user → user follows: friends (mutual follows) see each other's
 * FRIENDS events. The payload is the new state, so a redelivered event changes nothing.
 */
export const projectUserFollows = ({ db, bus, group }: ConsumerServices<EventsDb>) =>
  bus.consume!(group('user-follows'), 'follow.changed', async (event) => {
    const { followerId, targetType, targetId, following } = event.payload as Record<string, unknown>;
    if (targetType !== 'USER' || typeof followerId !== 'string' || typeof targetId !== 'string') return;
    if (following === true) {
      await db.userFollow.upsert({
        where: { followerId_followeeId: { followerId, followeeId: targetId } },
        create: { followerId, followeeId: targetId },
        update: {},
      });
    } else if (following === false) {
      await db.userFollow.deleteMany({ where: { followerId, followeeId: targetId } });
    }
  });
