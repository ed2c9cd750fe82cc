import { randomUUID } from 'node:crypto';
import type { UsersDb, UsersTx } from '../context';
import { issueCredential, LOGIN_CLIENT_PREFIX, parseCredential, secretMatches } from './credentials';

/** Known clients kept per account; the least recently used go first. */
const MAX_PER_USER = 20;

/** The known client this token names, if it is valid and belongs to `userId`. */
export async function findKnownClient(db: UsersDb, token: string | null | undefined, userId: string | undefined) {
  const parts = token && userId ? parseCredential(LOGIN_CLIENT_PREFIX, token) : null;
  if (!parts) return null;
  const row = await db.knownLoginClient.findUnique({ where: { id: parts.id } });
  return row && row.userId === userId && secretMatches(parts.secret, row.secretHash) ? row : null;
}

/**
 * The token a client keeps after signing in: the one it presented (still valid),
 * or a new one. The account keeps its MAX_PER_USER most recently used.
 */
export async function rememberClient(tx: UsersTx, userId: string, presented?: { id: string; token: string }): Promise<string> {
  if (presented) {
    await tx.knownLoginClient.update({ where: { id: presented.id }, data: { lastUsedAt: new Date() } });
    return presented.token;
  }
  const id = randomUUID();
  const { token, hash } = issueCredential(LOGIN_CLIENT_PREFIX, id);
  await tx.knownLoginClient.create({ data: { id, userId, secretHash: hash } });
  const stale = await tx.knownLoginClient.findMany({
    where: { userId },
    orderBy: { lastUsedAt: 'desc' },
    skip: MAX_PER_USER,
    select: { id: true },
  });
  if (stale.length) await tx.knownLoginClient.deleteMany({ where: { id: { in: stale.map((s) => s.id) } } });
  return token;
}
