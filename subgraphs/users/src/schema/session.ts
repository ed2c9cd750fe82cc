import { randomUUID } from 'node:crypto';
import { badInput, DomainError, ErrorCode, issueAccessToken, requireAuthenticated, type Announce } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { UsersContext, UsersTx } from '../context';
import { normaliseEmail } from '../domain/email';
import { passwordProblem } from '../domain/password-policy';
import { refreshOutcome } from '../domain/refresh-rotation';
import type { User } from '../generated/prisma/client';
import { beginLoginAttempt, loginSucceeded } from '../security/login-attempts';
import { findKnownClient, rememberClient } from '../security/known-clients';
import { hashPassword, verifyPassword } from '../security/passwords';
import { newSecret, sameHash, sha256, splitToken } from '../security/secrets';
import { UserRef } from './user';

interface AuthSession {
  user: User;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  /** set by logIn and verifyEmail: this client's known-client token */
  clientToken: string | null;
}

export const AuthSessionRef = builder.objectRef<AuthSession>('AuthSession').implement({
  description: 'A signed-in session: a short-lived access token for requests, a refresh token to get the next one.',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (s) => s.user }),
    accessToken: t.exposeString('accessToken', { description: 'send as `Authorization: Bearer <accessToken>`' }),
    accessTokenExpiresAt: t.expose('accessTokenExpiresAt', { type: 'DateTime' }),
    refreshToken: t.exposeString('refreshToken', { description: 'use once with refreshSession; each use returns a new one' }),
    refreshTokenExpiresAt: t.expose('refreshTokenExpiresAt', { type: 'DateTime' }),
    clientToken: t.exposeString('clientToken', {
      nullable: true,
      description:
        'from logIn and verifyEmail: keep it on this device and send it with logIn, so a correct password from here is let through while the account is throttled for others',
    }),
  }),
});

export function parseEmail(field: string, value: string): string {
  const email = normaliseEmail(value);
  if (!email) throw badInput(field, 'is not a valid email address');
  return email;
}

export function checkPassword(field: string, password: string, email?: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw new DomainError(ErrorCode.BAD_USER_INPUT, `${field}: ${problem}`, { field, reason: 'WEAK_PASSWORD' });
}

const invalidCredentials = () => new DomainError(ErrorCode.UNAUTHENTICATED, 'the email or password is incorrect');
const invalidRefresh = (reason: string) =>
  new DomainError(ErrorCode.UNAUTHENTICATED, 'the refresh token is not valid; sign in again', { reason });

/** Opens a session: a new refresh-token family (or the next token of `familyId`) and an access token. */
export async function openSession(
  ctx: UsersContext,
  tx: UsersTx,
  user: User,
  familyId: string = randomUUID(),
): Promise<AuthSession> {
  const secret = newSecret();
  const refreshTokenExpiresAt = new Date(Date.now() + ctx.settings.REFRESH_TOKEN_TTL_SECONDS * 1000);
  const row = await tx.refreshToken.create({
    data: { familyId, userId: user.id, secretHash: sha256(secret), expiresAt: refreshTokenExpiresAt },
  });
  // the access token names its family, so revoking the family stops the access token too
  const access = await issueAccessToken(
    user.id,
    ctx.settings.EVENTGRAPH_JWT_SECRET,
    ctx.settings.ACCESS_TOKEN_TTL_SECONDS,
    new Date(),
    familyId,
  );
  return {
    user,
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: `${row.id}.${secret}`,
    refreshTokenExpiresAt,
    clientToken: null,
  };
}

/**
 * Ends sessions (refresh-token families): their refresh tokens stop, and `session.revoked` tells every
 * gateway to refuse their access tokens and end their subscriptions at once (they also learn it from
 * `_userCaller` when their cached answer expires).
 */
async function revokeSessions(
  tx: UsersTx,
  announce: Announce,
  userId: string,
  reason: 'SIGNED_OUT' | 'SIGNED_OUT_EVERYWHERE' | 'REFRESH_TOKEN_REUSED',
  familyId?: string,
): Promise<void> {
  await tx.refreshToken.updateMany({
    where: familyId ? { familyId, revokedAt: null } : { userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  await announce('session.revoked', { userId, reason, ...(familyId ? { familyId } : {}) });
}

builder.mutationFields((t) => ({
  logIn: t.field({
    type: AuthSessionRef,
    description:
      'Signs in with email and password. After a few failures further attempts wait a growing delay (RATE_LIMITED with retryAfterSeconds), per email and per client address; a client that signed in here before (clientToken) is counted on its own.',
    args: {
      email: t.arg.string({ required: true }),
      password: t.arg.string({ required: true }),
      clientToken: t.arg.string({ description: 'the clientToken an earlier session of this account gave this client' }),
    },
    resolve: async (_root, args, ctx) => {
      const email = args.email.trim().toLowerCase();
      const user = await ctx.db.user.findUnique({ where: { email } });
      const known = await findKnownClient(ctx.db, args.clientToken, user?.id);
      const attempt = await beginLoginAttempt(ctx.db, email, ctx.clientAddress, known?.id);
      if (!(await verifyPassword(args.password, user?.passwordHash))) throw invalidCredentials();
      await loginSucceeded(ctx.db, attempt);
      return ctx.transact(async (tx) => {
        const session = await openSession(ctx, tx, user!);
        session.clientToken = await rememberClient(tx, user!.id, known ? { id: known.id, token: args.clientToken! } : undefined);
        return session;
      });
    },
  }),

  refreshSession: t.field({
    type: AuthSessionRef,
    description: 'Exchanges a refresh token for a new session. A refresh token used twice revokes its whole family.',
    args: { refreshToken: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const parts = splitToken(args.refreshToken);
      if (!parts) throw invalidRefresh('MALFORMED');
      const { session, reuse } = await ctx.transact(async (tx, announce) => {
        const stored = await tx.refreshToken.findUnique({ where: { id: parts.id }, include: { user: true } });
        if (!stored || !sameHash(stored.secretHash, sha256(parts.secret))) throw invalidRefresh('UNKNOWN');
        const outcome = refreshOutcome(stored, new Date());
        if (outcome === 'reuse-detected') {
          await revokeSessions(tx, announce, stored.userId, 'REFRESH_TOKEN_REUSED', stored.familyId);
          await announce('session.reuse_detected', { userId: stored.userId, familyId: stored.familyId });
          return { session: null, reuse: true };
        }
        if (outcome !== 'rotate') throw invalidRefresh(outcome.toUpperCase());
        // the status in the WHERE makes a concurrent second use lose instead of forking the family
        const { count } = await tx.refreshToken.updateMany({
          where: { id: stored.id, rotatedAt: null, revokedAt: null },
          data: { rotatedAt: new Date() },
        });
        if (count !== 1) throw invalidRefresh('REUSED');
        return { session: await openSession(ctx, tx, stored.user, stored.familyId), reuse: false };
      });
      // thrown after the commit, so the revocation of the family sticks
      if (reuse || !session) throw invalidRefresh('REUSED');
      return session;
    },
  }),

  logOut: t.field({
    type: 'Boolean',
    description: 'Ends the session this refresh token belongs to (every token of its family).',
    args: { refreshToken: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const parts = splitToken(args.refreshToken);
      if (!parts) throw invalidRefresh('MALFORMED');
      const stored = await ctx.db.refreshToken.findUnique({ where: { id: parts.id } });
      if (!stored || !sameHash(stored.secretHash, sha256(parts.secret))) throw invalidRefresh('UNKNOWN');
      await ctx.transact((tx, announce) => revokeSessions(tx, announce, stored.userId, 'SIGNED_OUT', stored.familyId));
      return true;
    },
  }),

  logOutEverywhere: t.field({
    type: 'Boolean',
    description:
      'Ends every session of the signed-in user, this one included: their refresh and access tokens stop working and their subscriptions end (UNAUTHENTICATED, reason SESSION_REVOKED).',
    resolve: async (_root, _args, ctx) => {
      requireAuthenticated(ctx.principal);
      if (ctx.principal.kind !== 'user') throw new DomainError(ErrorCode.FORBIDDEN, 'only a signed-in user can sign out');
      const userId = ctx.principal.id!;
      await ctx.transact((tx, announce) => revokeSessions(tx, announce, userId, 'SIGNED_OUT_EVERYWHERE'));
      return true;
    },
  }),

  changePassword: t.field({
    type: AuthSessionRef,
    description: 'Changes the password, ends every other session, and returns a fresh one.',
    args: { currentPassword: t.arg.string({ required: true }), newPassword: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireAuthenticated(ctx.principal);
      if (ctx.principal.kind !== 'user')
        throw new DomainError(ErrorCode.FORBIDDEN, 'only a signed-in user can change their password');
      const user = await ctx.db.user.findUnique({ where: { id: ctx.principal.id! } });
      if (!user || !(await verifyPassword(args.currentPassword, user.passwordHash)))
        throw new DomainError(ErrorCode.UNAUTHENTICATED, 'the current password is incorrect');
      checkPassword('newPassword', args.newPassword, user.email);
      if (await verifyPassword(args.newPassword, user.passwordHash))
        throw badInput('newPassword', 'must differ from the current password');
      const passwordHash = await hashPassword(args.newPassword);
      return ctx.transact(async (tx, announce) => {
        // access tokens issued before this instant stop working too (the gateway compares)
        const changedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
        const updated = await tx.user.update({ where: { id: user.id }, data: { passwordHash, passwordChangedAt: changedAt } });
        await tx.refreshToken.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: new Date() } });
        await announce('user.credentials_changed', { userId: user.id });
        return openSession(ctx, tx, updated);
      });
    },
  }),
}));
