import { decideCheckIn, DENIAL_REASONS, type CheckInFacts } from '../src/domain/check-in';
import { checkSeriesTransition } from '../src/domain/series-lifecycle';

const admissible: CheckInFacts = {
  direction: 'ENTRY',
  deviceAllowed: true,
  wristband: { status: 'ACTIVE' },
  series: { status: 'ACTIVE', capacity: 10 },
  gate: { direction: 'BOTH' },
  wristbandAssigned: true,
  gateAssigned: true,
  inside: false,
  insideCount: 3,
};

describe('decideCheckIn', () => {
  it('admits an active, assigned wristband at an assigned gate with room left', () => {
    expect(decideCheckIn(admissible)).toEqual({ allowed: true });
    expect(decideCheckIn({ ...admissible, direction: 'EXIT', inside: true, gate: { direction: 'EXIT' } })).toEqual({
      allowed: true,
    });
  });

  it.each<[string, Partial<CheckInFacts>]>([
    ['DEVICE_NOT_ALLOWED', { deviceAllowed: false }],
    ['UNKNOWN_WRISTBAND', { wristband: null }],
    ['WRISTBAND_NOT_ACTIVE', { wristband: { status: 'LOST' } }],
    ['SERIES_NOT_ACTIVE', { series: { status: 'SCHEDULED', capacity: 10 } }],
    ['WRISTBAND_NOT_ASSIGNED', { wristbandAssigned: false }],
    ['GATE_NOT_ASSIGNED', { gateAssigned: false }],
    ['WRONG_DIRECTION', { gate: { direction: 'EXIT' } }],
    ['ALREADY_INSIDE', { inside: true }],
    ['CAPACITY_REACHED', { insideCount: 10 }],
    ['NOT_INSIDE', { direction: 'EXIT' }],
  ])('denies with %s', (reason, change) => {
    expect(decideCheckIn({ ...admissible, ...change })).toEqual({
      allowed: false,
      reason,
      message: DENIAL_REASONS[reason as keyof typeof DENIAL_REASONS],
    });
  });

  it('gives the first failing rule when several fail, so the same facts always give the same reason', () => {
    expect(
      decideCheckIn({ ...admissible, wristband: { status: 'REVOKED' }, gateAssigned: false, insideCount: 99 }),
    ).toMatchObject({
      reason: 'WRISTBAND_NOT_ACTIVE',
    });
  });

  it('does not count capacity against an exit', () => {
    expect(decideCheckIn({ ...admissible, direction: 'EXIT', inside: true, insideCount: 10 })).toEqual({ allowed: true });
  });
});

describe('the series lifecycle', () => {
  it('runs draft → scheduled → active → completed', () => {
    expect(checkSeriesTransition('DRAFT', 'SCHEDULED')).toEqual({ ok: true });
    expect(checkSeriesTransition('SCHEDULED', 'ACTIVE')).toEqual({ ok: true });
    expect(checkSeriesTransition('ACTIVE', 'COMPLETED')).toEqual({ ok: true });
  });

  it('cancels from any status that is not final, and never leaves a final one', () => {
    for (const from of ['DRAFT', 'SCHEDULED', 'ACTIVE'] as const) expect(checkSeriesTransition(from, 'CANCELLED').ok).toBe(true);
    expect(checkSeriesTransition('COMPLETED', 'CANCELLED')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(checkSeriesTransition('CANCELLED', 'ACTIVE')).toMatchObject({
      ok: false,
      code: 'ILLEGAL_TRANSITION',
      message: expect.stringContaining('final'),
    });
  });

  it('refuses skipping a step and standing still', () => {
    expect(checkSeriesTransition('DRAFT', 'ACTIVE')).toMatchObject({
      ok: false,
      code: 'ILLEGAL_TRANSITION',
      message: expect.stringContaining('allowed: SCHEDULED, CANCELLED'),
    });
    expect(checkSeriesTransition('ACTIVE', 'ACTIVE')).toMatchObject({ ok: false, code: 'NO_CHANGE' });
  });
});
