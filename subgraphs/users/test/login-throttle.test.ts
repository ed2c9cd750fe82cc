import {
  charged,
  decideAttempt,
  delaySeconds,
  onSuccess,
  scopesFor,
  THROTTLE_POLICIES,
  waitSeconds,
  type ThrottleRecord,
} from '../src/domain/login-throttle';

const account = THROTTLE_POLICIES.account;
const t0 = new Date('2026-12-04T12:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

/** `n` failures in a row, each as soon as it was allowed. */
function failures(n: number, policy = account): { record: ThrottleRecord | null; now: Date } {
  let record: ThrottleRecord | null = null;
  let now = t0;
  for (let i = 0; i < n; i++) {
    now = new Date(now.getTime() + waitSeconds(record, policy, now) * 1000);
    record = charged(record, policy, now);
  }
  return { record, now };
}

describe('login throttle', () => {
  it('lets a few failures through freely, then doubles the wait with every further failure, up to the cap', () => {
    expect([1, 4, 5, 6, 7, 8].map((n) => delaySeconds(n, account))).toEqual([0, 0, 1, 2, 4, 8]);
    expect(delaySeconds(40, account)).toBe(account.maxDelaySeconds);
    expect(delaySeconds(19, THROTTLE_POLICIES.address)).toBe(0);
    expect(delaySeconds(20, THROTTLE_POLICIES.address)).toBe(1);
  });

  it('never locks: the wait after any number of failures is at most the cap', () => {
    const { record, now } = failures(200);
    expect(record!.failures).toBe(200);
    expect(waitSeconds(record, account, now)).toBe(account.maxDelaySeconds);
    expect(waitSeconds(record, account, new Date(now.getTime() + account.maxDelaySeconds * 1000))).toBe(0);
  });

  it('asks a caller to wait until the delay has passed, whole seconds rounded up', () => {
    const { record, now } = failures(6); // the sixth failure: 2 s
    expect(waitSeconds(record, account, now)).toBe(2);
    expect(waitSeconds(record, account, new Date(now.getTime() + 1500))).toBe(1);
    expect(waitSeconds(record, account, new Date(now.getTime() + 2000))).toBe(0);
  });

  it('forgets a key a day after its last failure', () => {
    const { record, now } = failures(10);
    const later = new Date(now.getTime() + account.forgetAfterSeconds * 1000);
    expect(charged(record, account, later).failures).toBe(1);
    expect(charged(record, account, now).failures).toBe(11);
  });

  it('hears an attempt only when every key it counts under has waited: the longest wait is the answer', () => {
    const longWait = failures(9).record; // 16 s
    const shortWait = failures(6).record; // 2 s
    expect(
      decideAttempt(
        [
          { scope: 'account', record: shortWait },
          { scope: 'address', record: null },
        ],
        at(3600),
      ),
    ).toEqual({ allowed: true });
    const now = new Date(Math.max(longWait!.lastFailureAt.getTime(), shortWait!.lastFailureAt.getTime()));
    const decision = decideAttempt(
      [
        { scope: 'account', record: shortWait },
        { scope: 'client', record: longWait },
      ],
      now,
    );
    expect(decision.allowed).toBe(false);
    expect(decision).toMatchObject({ retryAfterSeconds: waitSeconds(longWait, account, now) });
  });

  it('counts a known client under itself only; anyone else under the email and their address', () => {
    expect(scopesFor(true, true)).toEqual(['client']);
    expect(scopesFor(false, true)).toEqual(['account', 'address']);
    expect(scopesFor(false, false)).toEqual(['account']);
    expect(onSuccess('account')).toBe('reset');
    expect(onSuccess('client')).toBe('reset');
    expect(onSuccess('address')).toBe('refund');
  });
});
