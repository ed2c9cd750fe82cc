import { DomainError, ErrorCode } from '@eventgraph/runtime';
import type { UsersDb } from '../context';
import {
  charged,
  decideAttempt,
  onSuccess,
  scopesFor,
  THROTTLE_POLICIES,
  type ThrottleRecord,
  type ThrottleScope,
} from '../domain/login-throttle';
import { sha256 } from './secrets';

/** One key an attempt is counted under, with what it held before this attempt. */
interface ChargedKey {
  scope: ThrottleScope;
  key: string;
  before: ThrottleRecord | null;
}

export interface LoginAttempt {
  keys: ChargedKey[];
}

const rateLimited = (retryAfterSeconds: number) =>
  new DomainError(ErrorCode.RATE_LIMITED, `too many failed log-ins; try again in ${retryAfterSeconds} seconds`, {
    retryAfterSeconds,
  });

/** Keys are hashes, so the table holds no email or address in the clear. */
function keysFor(email: string, clientAddress: string | undefined, knownClientId: string | undefined) {
  const subject: Record<ThrottleScope, string> = {
    account: `account:${email}`,
    address: `address:${clientAddress ?? ''}`,
    client: `client:${knownClientId ?? ''}`,
  };
  return scopesFor(Boolean(knownClientId), Boolean(clientAddress)).map((scope) => ({ scope, key: sha256(subject[scope]) }));
}

const FORGET_MS = Math.max(...Object.values(THROTTLE_POLICIES).map((p) => p.forgetAfterSeconds)) * 1000;
const SWEEP_EVERY_MS = 10 * 60_000;
let lastSweep = 0;

/**
 * Counts a log-in attempt as a failure before the password is checked, or
 * refuses it (RATE_LIMITED with retryAfterSeconds) while any of its keys must
 * wait. Each key is charged with a compare-and-set, so concurrent attempts
 * cannot share one free slot: whoever loses the race is told to retry.
 */
export async function beginLoginAttempt(
  db: UsersDb,
  email: string,
  clientAddress: string | undefined,
  knownClientId: string | undefined,
  now = new Date(),
): Promise<LoginAttempt> {
  const wanted = keysFor(email, clientAddress, knownClientId);
  const rows = await db.loginThrottle.findMany({ where: { key: { in: wanted.map((k) => k.key) } } });
  const keys = wanted.map((k) => ({ ...k, before: rows.find((r) => r.key === k.key) ?? null }));
  const decision = decideAttempt(
    keys.map((k) => ({ scope: k.scope, record: k.before })),
    now,
  );
  if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds);
  let raced = false;
  for (const { scope, key, before } of keys) {
    const next = charged(before, THROTTLE_POLICIES[scope], now);
    const { count } = before
      ? await db.loginThrottle.updateMany({
          where: { key, failures: before.failures, lastFailureAt: before.lastFailureAt },
          data: next,
        })
      : await db.loginThrottle.createMany({ data: [{ key, ...next }], skipDuplicates: true });
    raced ||= count !== 1;
  }
  if (raced) throw rateLimited(1);
  if (now.getTime() - lastSweep > SWEEP_EVERY_MS) {
    lastSweep = now.getTime();
    await db.loginThrottle.deleteMany({ where: { lastFailureAt: { lt: new Date(now.getTime() - FORGET_MS) } } });
  }
  return { keys };
}

/** The password was right: the account's (or the known client's) run of failures ends; the address gets this attempt back. */
export async function loginSucceeded(db: UsersDb, attempt: LoginAttempt): Promise<void> {
  for (const { scope, key } of attempt.keys) {
    if (onSuccess(scope) === 'reset') await db.loginThrottle.deleteMany({ where: { key } });
    else await db.loginThrottle.updateMany({ where: { key, failures: { gt: 0 } }, data: { failures: { decrement: 1 } } });
  }
}
