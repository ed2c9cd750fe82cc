import { DomainError, ErrorCode, LruCache, requireText } from '@eventgraph/runtime';
import { builder } from '../builder';
import {
  PENDING_SIGN_UPS_PER_EMAIL,
  SIGN_UP_NOTICE_INTERVAL_MS,
  SIGN_UP_TOKEN_TTL_HOURS,
  signUpAcknowledgement,
} from '../domain/sign-up';
import { alreadyRegisteredMessage, verifyEmailMessage } from '../mail/messages';
import { rememberClient } from '../security/known-clients';
import { hashPassword } from '../security/passwords';
import { newSecret, sameHash, sha256, splitToken } from '../security/secrets';
import { AuthSessionRef, checkPassword, openSession, parseEmail } from './session';

interface SignUpResult {
  accepted: boolean;
  email: string;
  message: string;
}

const SignUpResultRef = builder.objectRef<SignUpResult>('SignUpResult').implement({
  description:
    'The same answer whether or not the address already has an account: the address gets a message (a verification token, or a notice for an existing account).',
  fields: (t) => ({
    accepted: t.exposeBoolean('accepted'),
    email: t.exposeString('email', { description: 'the address the message went to, as stored' }),
    message: t.exposeString('message'),
  }),
});

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    displayName: t.string({ required: true }),
  }),
});

/**
 * Addresses told of a sign-up attempt lately, so a flood of sign-ups for a taken address is not a flood of mail to
 * its owner. Per process: bounded, and an attacker's fresh addresses only push out the coldest entries.
 */
const noticedLately = new LruCache<string, true>(10_000, SIGN_UP_NOTICE_INTERVAL_MS);

const invalidVerification = () =>
  new DomainError(ErrorCode.UNAUTHENTICATED, 'the verification token is not valid or has expired; sign up again', {
    reason: 'INVALID_VERIFICATION',
  });

builder.mutationFields((t) => ({
  signUp: t.field({
    type: SignUpResultRef,
    description:
      'Starts creating an account: mails the address a token for verifyEmail, which signs the new account in. Answers the same for an address that already has an account (that address is told someone tried).',
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const email = parseEmail('email', input.email);
      const displayName = requireText('displayName', input.displayName, 120);
      checkPassword('password', input.password, email);
      // hashed on both paths, so the time taken says nothing about the address
      const passwordHash = await hashPassword(input.password);
      const now = new Date();
      if (await ctx.db.user.findUnique({ where: { email }, select: { id: true } })) {
        if (noticedLately.get(email)) ctx.log.warn('sign-up notice not mailed: the address was told lately');
        else {
          noticedLately.set(email, true);
          await ctx.mailer.send(alreadyRegisteredMessage(email), ctx.log);
        }
        return signUpAcknowledgement(email);
      }
      const since = new Date(now.getTime() - SIGN_UP_TOKEN_TTL_HOURS * 3600_000);
      // a flood of sign-ups for one address must not become a flood of mail to it
      if ((await ctx.db.pendingSignUp.count({ where: { email, createdAt: { gt: since } } })) >= PENDING_SIGN_UPS_PER_EMAIL) {
        ctx.log.warn('sign-up not mailed: too many pending sign-ups for this address');
        return signUpAcknowledgement(email);
      }
      const secret = newSecret();
      const expiresAt = new Date(now.getTime() + SIGN_UP_TOKEN_TTL_HOURS * 3600_000);
      const pending = await ctx.db.pendingSignUp.create({
        data: { email, displayName, passwordHash, secretHash: sha256(secret), expiresAt },
      });
      await ctx.mailer.send(verifyEmailMessage(email, `${pending.id}.${secret}`, expiresAt), ctx.log);
      return signUpAcknowledgement(email);
    },
  }),

  verifyEmail: t.field({
    type: AuthSessionRef,
    description: 'Finishes a sign-up with the token mailed to the address: creates the account and signs it in.',
    args: { token: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const parts = splitToken(args.token);
      if (!parts) throw invalidVerification();
      const session = await ctx.transact(async (tx, announce) => {
        const pending = await tx.pendingSignUp.findUnique({ where: { id: parts.id } });
        if (!pending || !sameHash(pending.secretHash, sha256(parts.secret)) || pending.expiresAt <= new Date()) return null;
        // every other pending sign-up of the address ends here, whoever's it was
        await tx.pendingSignUp.deleteMany({ where: { email: pending.email } });
        if (await tx.user.findUnique({ where: { email: pending.email }, select: { id: true } })) return null;
        const user = await tx.user.create({
          data: { email: pending.email, displayName: pending.displayName, passwordHash: pending.passwordHash },
        });
        await announce('user.created', { userId: user.id });
        const opened = await openSession(ctx, tx, user);
        opened.clientToken = await rememberClient(tx, user.id);
        return opened;
      });
      if (!session) throw invalidVerification();
      return session;
    },
  }),
}));
