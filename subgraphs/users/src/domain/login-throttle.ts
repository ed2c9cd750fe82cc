/**
 * Slowing down password guessing without handing anyone a lock on someone
 * else's account (OWASP's "device cookies", the way mature identity providers
 * throttle):
 *
 * - every attempt is counted under keys: the email (known or not, so a refusal
 *   says nothing about whether an account exists) and the client's address;
 * - a few failures are free; after that each further attempt under a key must
 *   wait a delay that doubles with every failure, up to a cap — never a hard lock;
 * - a client that signed in to the account before (it presents the known-client
 *   token it was given then) is counted under its own key only, so a stranger's
 *   failures on the email or from the same address never stop the owner there.
 *
 * An attempt is charged before the password is checked (so concurrent guesses
 * cannot all slip through one free slot) and given back when it succeeds.
 */
export type ThrottleScope = 'account' | 'address' | 'client';

export interface ThrottlePolicy {
  /** failures before any delay */
  freeFailures: number;
  /** the first delay; each further failure doubles it */
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  /** a key with no failure for this long starts again from nothing */
  forgetAfterSeconds: number;
}

export const THROTTLE_POLICIES: Readonly<Record<ThrottleScope, ThrottlePolicy>> = Object.freeze({
  account: { freeFailures: 5, baseDelaySeconds: 1, maxDelaySeconds: 300, forgetAfterSeconds: 24 * 3600 },
  // addresses are shared (offices, carrier NAT): more free failures, but a longer cap for one guessing many accounts
  address: { freeFailures: 20, baseDelaySeconds: 1, maxDelaySeconds: 900, forgetAfterSeconds: 24 * 3600 },
  client: { freeFailures: 5, baseDelaySeconds: 1, maxDelaySeconds: 300, forgetAfterSeconds: 24 * 3600 },
});

export interface ThrottleRecord {
  failures: number;
  lastFailureAt: Date;
  nextAttemptAt: Date;
}

/** The wait imposed after `failures` failures under a policy. */
export function delaySeconds(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.freeFailures) return 0;
  return Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** (failures - policy.freeFailures));
}

const forgotten = (record: ThrottleRecord, policy: ThrottlePolicy, now: Date) =>
  now.getTime() - record.lastFailureAt.getTime() >= policy.forgetAfterSeconds * 1000;

/** Seconds until an attempt under this key is heard; 0 when it may go ahead now. */
export function waitSeconds(record: ThrottleRecord | null, policy: ThrottlePolicy, now: Date): number {
  if (!record || forgotten(record, policy, now)) return 0;
  const ms = record.nextAttemptAt.getTime() - now.getTime();
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/** The record once this attempt is counted as a failure (charged before the password is checked). */
export function charged(record: ThrottleRecord | null, policy: ThrottlePolicy, now: Date): ThrottleRecord {
  const failures = (record && !forgotten(record, policy, now) ? record.failures : 0) + 1;
  return { failures, lastFailureAt: now, nextAttemptAt: new Date(now.getTime() + delaySeconds(failures, policy) * 1000) };
}

export interface ThrottledKey {
  scope: ThrottleScope;
  record: ThrottleRecord | null;
}

export type AttemptDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** An attempt is heard when every key it is counted under has waited long enough. */
export function decideAttempt(keys: ThrottledKey[], now: Date): AttemptDecision {
  const wait = Math.max(0, ...keys.map((k) => waitSeconds(k.record, THROTTLE_POLICIES[k.scope], now)));
  return wait > 0 ? { allowed: false, retryAfterSeconds: wait } : { allowed: true };
}

/**
 * The scopes an attempt is counted under: a known client of the account only
 * under itself; anyone else under the email and, when known, the address.
 */
export function scopesFor(knownClient: boolean, addressKnown: boolean): ThrottleScope[] {
  if (knownClient) return ['client'];
  return addressKnown ? ['account', 'address'] : ['account'];
}

/**
 * After a success: the account's and the client's counts start again (whoever
 * signs in with the right password ends the run of failures); the address keeps
 * its count minus this attempt, so one good account does not wash an address
 * that guesses at others.
 */
export const onSuccess = (scope: ThrottleScope): 'reset' | 'refund' => (scope === 'address' ? 'refund' : 'reset');
