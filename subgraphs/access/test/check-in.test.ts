import { decideCheckIn, DENIAL_REASONS, isWristbandId, needsRoom, scanEffect, type CheckInFacts } from '../src/domain/check-in';
import { MAX_SHARDS, preferredShard, shardCapacity, shardCount } from '../src/domain/occupancy';
import { conflictsWithAnotherScan, inTimeOrder, offlineOutcome } from '../src/domain/offline-scans';
import { checkSeriesTransition } from '../src/domain/series-lifecycle';

const at = (hhmm: string) => new Date(`2027-07-01T${hhmm}:00Z`);
const admissible: CheckInFacts = {
  direction: 'ENTRY',
  scannedAt: at('15:00'),
  offline: false,
  deviceAllowed: true,
  wristband: { status: 'ACTIVE' },
  series: { status: 'ACTIVE', entryRule: 'REENTRY', checkInOpensAt: at('14:00'), checkInClosesAt: at('22:00') },
  gate: { direction: 'BOTH' },
  wristbandAssigned: true,
  gateAssigned: true,
  presence: null,
  room: { series: true, category: null },
};
const inside = { inside: true, entries: 1 };
const left = { inside: false, entries: 1 };
const withSeries = (change: Partial<CheckInFacts['series']>) => ({ series: { ...admissible.series, ...change } });

describe('decideCheckIn', () => {
  it('admits an active, assigned wristband at an assigned gate in the window with room left', () => {
    expect(decideCheckIn(admissible)).toEqual({ allowed: true });
    expect(decideCheckIn({ ...admissible, direction: 'EXIT', presence: inside, gate: { direction: 'EXIT' } })).toEqual({
      allowed: true,
    });
  });

  it.each<[string, Partial<CheckInFacts>]>([
    ['DEVICE_NOT_ALLOWED', { deviceAllowed: false }],
    ['INVALID_WRISTBAND_ID', { wristbandIdValid: false, wristband: null }],
    ['UNKNOWN_WRISTBAND', { wristband: null }],
    ['WRISTBAND_NOT_ACTIVE', { wristband: { status: 'LOST' } }],
    ['SERIES_NOT_ACTIVE', withSeries({ status: 'SCHEDULED' })],
    ['SERIES_NOT_ACTIVE', withSeries({ status: 'COMPLETED' })],
    ['OUTSIDE_CHECKIN_WINDOW', { scannedAt: at('13:59') }],
    ['OUTSIDE_CHECKIN_WINDOW', { scannedAt: at('22:01') }],
    ['WRISTBAND_NOT_ASSIGNED', { wristbandAssigned: false }],
    ['GATE_NOT_ASSIGNED', { gateAssigned: false }],
    ['WRONG_DIRECTION', { gate: { direction: 'EXIT' } }],
    ['ALREADY_INSIDE', { presence: inside }],
    ['ALREADY_USED', { presence: left, ...withSeries({ entryRule: 'SINGLE_ENTRY' }) }],
    ['NOT_INSIDE', { direction: 'EXIT' }],
    ['NOT_INSIDE', { direction: 'EXIT', presence: left }],
    ['CATEGORY_CAPACITY_REACHED', { room: { series: true, category: false } }],
    ['CAPACITY_REACHED', { room: { series: false, category: true } }],
  ])('denies with %s', (reason, change) => {
    expect(decideCheckIn({ ...admissible, ...change })).toEqual({
      allowed: false,
      reason,
      message: DENIAL_REASONS[reason as keyof typeof DENIAL_REASONS],
    });
  });

  it('tells an id no wristband can have (a garbled read, a NUL byte) from an unknown one', () => {
    expect(isWristbandId('04:A2:7F')).toBe(true);
    for (const nfcId of ['', 'x'.repeat(65), '04\u0000A2', '04\uD800']) expect(isWristbandId(nfcId)).toBe(false);
    expect(decideCheckIn({ ...admissible, deviceAllowed: false, wristbandIdValid: false })).toMatchObject({
      reason: 'DEVICE_NOT_ALLOWED',
    });
  });

  it('gives the first failing rule when several fail, so the same facts always give the same reason', () => {
    const full = { series: false, category: null };
    expect(decideCheckIn({ ...admissible, wristband: { status: 'REVOKED' }, gateAssigned: false, room: full })).toMatchObject({
      reason: 'WRISTBAND_NOT_ACTIVE',
    });
  });

  it('lets people out at any time of an active series, whatever the capacity', () => {
    const full = { series: false, category: null };
    expect(decideCheckIn({ ...admissible, direction: 'EXIT', presence: inside, scannedAt: at('23:30'), room: full })).toEqual({
      allowed: true,
    });
  });

  it('applies the entry rules: re-entry after an exit, single entry once, unlimited even while inside', () => {
    expect(decideCheckIn({ ...admissible, presence: left })).toEqual({ allowed: true });
    expect(decideCheckIn({ ...admissible, presence: null, ...withSeries({ entryRule: 'SINGLE_ENTRY' }) })).toEqual({
      allowed: true,
    });
    expect(decideCheckIn({ ...admissible, presence: inside, ...withSeries({ entryRule: 'UNLIMITED' }) })).toEqual({
      allowed: true,
    });
  });

  it('accepts an offline scan of a series that has completed since, judged by the time it was made', () => {
    const completed = withSeries({ status: 'COMPLETED' });
    expect(decideCheckIn({ ...admissible, ...completed, offline: true })).toEqual({ allowed: true });
    expect(decideCheckIn({ ...admissible, ...completed, offline: true, scannedAt: at('23:00') })).toMatchObject({
      reason: 'OUTSIDE_CHECKIN_WINDOW',
    });
  });

  it('asks for the occupancy only for an entry that takes room and passed every other rule', () => {
    const noRoom = { ...admissible, room: undefined };
    expect(needsRoom(noRoom, decideCheckIn(noRoom))).toBe(true);
    expect(decideCheckIn(noRoom)).toEqual({ allowed: true });
    const unlimitedInside = { ...noRoom, presence: inside, ...withSeries({ entryRule: 'UNLIMITED' as const }) };
    expect(needsRoom(unlimitedInside, decideCheckIn(unlimitedInside))).toBe(false);
    const exit = { ...noRoom, direction: 'EXIT' as const, presence: inside };
    expect(needsRoom(exit, decideCheckIn(exit))).toBe(false);
    const denied = { ...noRoom, gateAssigned: false };
    expect(needsRoom(denied, decideCheckIn(denied))).toBe(false);
  });
});

describe('scanEffect', () => {
  it('counts an entry and an exit, and moves the inside count only when presence changes', () => {
    expect(scanEffect({ direction: 'ENTRY', presence: null })).toEqual({
      insideDelta: 1,
      entries: 1,
      exits: 0,
      presence: { inside: true, entries: 1 },
    });
    expect(scanEffect({ direction: 'EXIT', presence: inside })).toEqual({
      insideDelta: -1,
      entries: 0,
      exits: 1,
      presence: { inside: false, entries: 1 },
    });
    expect(scanEffect({ direction: 'ENTRY', presence: inside })).toMatchObject({ insideDelta: 0, entries: 1 });
  });
});

describe('occupancy shards', () => {
  it('split a capacity into shares that add up to it exactly, never more shards than places', () => {
    for (const capacity of [0, 1, 2, 15, 16, 17, 500, 10_000, 10_007]) {
      const shards = shardCount(capacity);
      expect(shards).toBe(Math.min(MAX_SHARDS, capacity));
      const shares = Array.from({ length: MAX_SHARDS + 2 }, (_, i) => shardCapacity(capacity, i));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(capacity);
      expect(shares.slice(0, shards).every((share) => share >= 1)).toBe(true);
    }
    expect(shardCapacity(10_007, 0)).toBe(626);
    expect(shardCapacity(10_007, 7)).toBe(625);
  });

  it('send a wristband to the same shard every time, spread evenly over the shards', () => {
    const id = '6554f4ec-4bc9-4211-b9af-38938f7957af';
    expect(preferredShard(id, 16)).toBe(preferredShard(id, 16));
    const hits = new Array(16).fill(0);
    for (let i = 0; i < 1600; i++) hits[preferredShard(crypto.randomUUID(), 16)]++;
    expect(Math.min(...hits)).toBeGreaterThan(50);
  });
});

describe('offline scans', () => {
  it('are applied in the order they happened, ties broken by scan id', () => {
    const scans = [
      { scanId: 'b', scannedAt: at('15:00') },
      { scanId: 'c', scannedAt: at('14:00') },
      { scanId: 'a', scannedAt: at('15:00') },
    ];
    expect(inTimeOrder(scans).map((s) => s.scanId)).toEqual(['c', 'a', 'b']);
  });

  it('are conflicts when the server denies them, naming the other scan when presence is the reason', () => {
    expect(offlineOutcome(true, false)).toBe('APPLIED');
    expect(offlineOutcome(false, false)).toBe('CONFLICT');
    expect(offlineOutcome(false, true)).toBe('DUPLICATE');
    expect(conflictsWithAnotherScan('ALREADY_INSIDE')).toBe(true);
    expect(conflictsWithAnotherScan('UNKNOWN_WRISTBAND')).toBe(false);
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
