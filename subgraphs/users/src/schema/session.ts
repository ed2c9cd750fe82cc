import { randomUUID } from 'node:crypto';
import { badInput, DomainError, ErrorCode, issueAccessToken, requireAuthenticated, requireText } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { UsersContext, UsersTx } from '../context';
import { normaliseEmail } from '../domain/email';
import { afterFailure, isLocked, retryAfterSeconds } from '../domain/login-throttle';
import { passwordProblem } from '../domain/password-policy';
import { refreshOutcome } from '../domain/refresh-rotation';
import type { User } from '../generated/prisma/client';
import { hashPassword, verifyPassword } from '../security/passwords';
import { newSecret, sameHash, sha256, splitToken } from '../security/secrets';
import { UserRef } from './user';

interface AuthSession {
  user: User;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

const AuthSessionRef = builder.objectRef<AuthSession>('AuthSession').implement({
  description: 'A signed-in session: a short-lived access token for requests, a refresh token to get the next one.',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (s) => s.user }),
    accessToken: t.exposeString('accessToken', { description: 'send as `Authorization: Bearer <accessToken>`' }),
    accessTokenExpiresAt: t.expose('accessTokenExpiresAt', { type: 'DateTime' }),
    refreshToken: t.exposeString('refreshToken', { description: 'use once with refreshSession; each use returns a new one' }),
    refreshTokenExpiresAt: t.expose('refreshTokenExpiresAt', { type: 'DateTime' }),
  }),
});

export function parseEmail(field: string, value: string): string {
  const email = normaliseEmail(value);
  if (!email) throw badInput(field, 'is not a valid email address');
  return email;
}

function checkPassword(field: string, password: string, email?: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw new DomainError(ErrorCode.BAD_USER_INPUT, `${field}: ${problem}`, { field, reason: 'WEAK_PASSWORD' });
}

const invalidCredentials = () => new DomainError(ErrorCode.UNAUTHENTICATED, 'the email or password is incorrect');
const invalidRefresh = (reason: string) =>
  new DomainError(ErrorCode.UNAUTHENTICATED, 'the refresh token is not valid; sign in again', { reason });

/** Opens a session: a new refresh-token family (or the next token of `familyId`) and an access token. */
async function openSession(ctx: UsersContext, tx: UsersTx, user: User, familyId: string = randomUUID()): Promise<AuthSession> {
  const secret = newSecret();
  const refreshTokenExpiresAt = new Date(Date.now() + ctx.settings.REFRESH_TOKEN_TTL_SECONDS * 1000);
  const row = await tx.refreshToken.create({
    data: { familyId, userId: user.id, secretHash: sha256(secret), expiresAt: refreshTokenExpiresAt },
  });
  const access = await issueAccessToken(user.id, ctx.settings.EVENTGRAPH_JWT_SECRET, ctx.settings.ACCESS_TOKEN_TTL_SECONDS);
  return {
    user,
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: `${row.id}.${secret}`,
    refreshTokenExpiresAt,
  };
}

const revokeFamily = (tx: UsersTx, familyId: string) =>
  tx.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    displayName: t.string({ required: true }),
  }),
});

builder.mutationFields((t) => ({
  signUp: t.field({
    type: AuthSessionRef,
    description: 'Creates an account and signs it in.',
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const email = parseEmail('email', input.email);
      const displayName = requireText('displayName', input.displayName, 120);
      checkPassword('password', input.password, email);
      const passwordHash = await hashPassword(input.password);
      return ctx.transact(async (tx, announce) => {
        if (await tx.user.findUnique({ where: { email } }))
          throw new DomainError(ErrorCode.CONFLICT, 'an account with this email already exists', { field: 'email' });
        const user = await tx.user.create({ data: { email, displayName, passwordHash } });
        await announce('user.created', { userId: user.id });
        return openSession(ctx, tx, user);
      });
    },
  }),

  logIn: t.field({
    type: AuthSessionRef,
    description: 'Signs in with email and password. Repeated failures lock the email for a while (RATE_LIMITED).',
    args: { email: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const email = args.email.trim().toLowerCase();
      const emailHash = sha256(email);
      const now = new Date();
      const throttle = await ctx.db.loginThrottle.findUnique({ where: { emailHash } });
      if (throttle && isLocked(throttle, now)) {
        const retryAfter = retryAfterSeconds(throttle, now);
        throw new DomainError(ErrorCode.RATE_LIMITED, `too many failed attempts; try again in ${retryAfter} seconds`, {
          retryAfterSeconds: retryAfter,
        });
      }
      const user = await ctx.db.user.findUnique({ where: { email } });
      if (!(await verifyPassword(args.password, user?.passwordHash))) {
        const next = afterFailure(throttle, now);
        await ctx.db.loginThrottle.upsert({ where: { emailHash }, create: { emailHash, ...next }, update: next });
        throw invalidCredentials();
      }
      return ctx.transact(async (tx) => {
        if (throttle) await tx.loginThrottle.delete({ where: { emailHash } });
        return openSession(ctx, tx, user!);
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
          await revokeFamily(tx, stored.familyId);
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
      await ctx.transact((tx) => revokeFamily(tx, stored.familyId));
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
