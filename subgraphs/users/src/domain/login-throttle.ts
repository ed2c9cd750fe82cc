/**
 * Repeated failed log-ins for one email lock it for a while. The rule applies
 * to every email, registered or not, so a lockout says nothing about whether
 * an account exists.
 */
export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 15;

export interface ThrottleState {
  failures: number;
  lockedUntil: Date | null;
}

export const isLocked = (state: ThrottleState | null, now: Date) => Boolean(state?.lockedUntil && state.lockedUntil > now);

export function afterFailure(state: ThrottleState | null, now: Date): ThrottleState {
  const failures = (state && !isLocked(state, now) && state.lockedUntil ? 0 : (state?.failures ?? 0)) + 1;
  return failures >= MAX_FAILURES
    ? { failures, lockedUntil: new Date(now.getTime() + LOCK_MINUTES * 60_000) }
    : { failures, lockedUntil: null };
}

export const retryAfterSeconds = (state: ThrottleState, now: Date) =>
  Math.max(1, Math.ceil(((state.lockedUntil?.getTime() ?? 0) - now.getTime()) / 1000));
