import { checkRecurrence, MAX_OCCURRENCES, occurrences, type RecurrenceInput } from '../src/domain/recurrence';
import { checkTemplateTransition, scheduledSteps, type SchedulableSeries } from '../src/domain/series-lifecycle';
import {
  checkCapacity,
  checkCategoryLimits,
  checkSeriesTimes,
  findOverlap,
  mergeTimes,
  type ExistingSeries,
  type SeriesTimes,
} from '../src/domain/series-rules';

const at = (iso: string) => new Date(iso);
const day: SeriesTimes = {
  startsAt: at('2027-06-18T10:00:00Z'),
  endsAt: at('2027-06-18T21:00:00Z'),
  checkInOpensAt: at('2027-06-18T09:00:00Z'),
  checkInClosesAt: at('2027-06-18T20:00:00Z'),
};

describe('series times and check-in window', () => {
  it('accepts a window within [start − 24 h, end]', () => {
    expect(checkSeriesTimes(day)).toBeNull();
    expect(checkSeriesTimes({ ...day, checkInOpensAt: at('2027-06-17T10:00:00Z'), checkInClosesAt: day.endsAt })).toBeNull();
  });

  it.each<[string, Partial<SeriesTimes>, string, string]>([
    ['end before start', { endsAt: at('2027-06-18T09:00:00Z') }, 'BAD_USER_INPUT', 'endsAt'],
    ['window closing before it opens', { checkInClosesAt: at('2027-06-18T08:00:00Z') }, 'BAD_USER_INPUT', 'checkInClosesAt'],
    [
      'window opening more than a day early',
      { checkInOpensAt: at('2027-06-17T09:59:59Z') },
      'CHECKIN_WINDOW_OUTSIDE_SERIES',
      'checkInOpensAt',
    ],
    [
      'window closing after the end',
      { checkInClosesAt: at('2027-06-18T21:00:01Z') },
      'CHECKIN_WINDOW_OUTSIDE_SERIES',
      'checkInClosesAt',
    ],
  ])('refuses %s', (_what, change, code, field) => {
    expect(checkSeriesTimes({ ...day, ...change })).toMatchObject({ code, field, message: expect.stringMatching(`^${field}: `) });
  });

  it('moves a default window with the series, keeps one set on purpose', () => {
    const defaults = { ...day, checkInOpensAt: day.startsAt, checkInClosesAt: day.endsAt };
    const later = { startsAt: at('2027-06-19T10:00:00Z'), endsAt: at('2027-06-19T21:00:00Z') };
    expect(mergeTimes(defaults, later)).toEqual({ ...later, checkInOpensAt: later.startsAt, checkInClosesAt: later.endsAt });
    expect(mergeTimes(day, later)).toEqual({
      ...later,
      checkInOpensAt: day.checkInOpensAt,
      checkInClosesAt: day.checkInClosesAt,
    });
  });
});

describe('category limits', () => {
  it('upper-cases categories and refuses duplicates and negative capacities', () => {
    expect(
      checkCategoryLimits([
        { category: ' ga ', capacity: 10_000 },
        { category: 'Vip', capacity: 500 },
      ]),
    ).toEqual({
      limits: [
        { category: 'GA', capacity: 10_000 },
        { category: 'VIP', capacity: 500 },
      ],
    });
    expect(
      checkCategoryLimits([
        { category: 'GA', capacity: 1 },
        { category: 'ga', capacity: 2 },
      ]),
    ).toMatchObject({ problem: { code: 'BAD_USER_INPUT', field: 'categoryLimits[1].category' } });
    expect(checkCategoryLimits([{ category: 'GA', capacity: -1 }])).toMatchObject({
      problem: { field: 'categoryLimits[0].capacity' },
    });
    expect(checkCategoryLimits([{ category: '  ', capacity: 1 }])).toMatchObject({
      problem: { field: 'categoryLimits[0].category' },
    });
  });
});

describe('overlap', () => {
  const other = (change: Partial<ExistingSeries> = {}): ExistingSeries => ({
    id: 'o',
    name: 'Day 1',
    startsAt: day.startsAt,
    endsAt: day.endsAt,
    status: 'SCHEDULED',
    isTemplate: false,
    ...change,
  });

  it('finds a series of the same event sharing some time', () => {
    expect(findOverlap({ startsAt: at('2027-06-18T20:00:00Z'), endsAt: at('2027-06-19T02:00:00Z') }, [other()])?.id).toBe('o');
  });

  it('lets series touch, and ignores cancelled series, templates and the series itself', () => {
    expect(findOverlap({ startsAt: day.endsAt, endsAt: at('2027-06-19T02:00:00Z') }, [other()])).toBeNull();
    expect(findOverlap(day, [other({ status: 'CANCELLED' }), other({ isTemplate: true })])).toBeNull();
    expect(findOverlap({ ...day, id: 'o' }, [other()])).toBeNull();
  });
});

describe('scheduler decisions', () => {
  const series = (change: Partial<SchedulableSeries>): SchedulableSeries => ({
    status: 'SCHEDULED',
    checkInOpensAt: day.checkInOpensAt,
    endsAt: day.endsAt,
    isTemplate: false,
    ...change,
  });

  it('activates a scheduled series once its window opens, not before', () => {
    expect(scheduledSteps(series({}), at('2027-06-18T08:59:59Z'))).toEqual([]);
    expect(scheduledSteps(series({}), day.checkInOpensAt)).toEqual([{ from: 'SCHEDULED', to: 'ACTIVE' }]);
  });

  it('completes an active series once it has ended', () => {
    expect(scheduledSteps(series({ status: 'ACTIVE' }), at('2027-06-18T20:59:59Z'))).toEqual([]);
    expect(scheduledSteps(series({ status: 'ACTIVE' }), day.endsAt)).toEqual([{ from: 'ACTIVE', to: 'COMPLETED' }]);
  });

  it('takes a scheduled series found after its end through both steps', () => {
    expect(scheduledSteps(series({}), at('2027-06-20T00:00:00Z'))).toEqual([
      { from: 'SCHEDULED', to: 'ACTIVE' },
      { from: 'ACTIVE', to: 'COMPLETED' },
    ]);
  });

  it('never touches drafts, final series or templates', () => {
    const late = at('2027-06-20T00:00:00Z');
    for (const status of ['DRAFT', 'COMPLETED', 'CANCELLED'] as const)
      expect(scheduledSteps(series({ status }), late)).toEqual([]);
    expect(scheduledSteps(series({ isTemplate: true }), late)).toEqual([]);
  });

  it('lets a template only be cancelled', () => {
    expect(checkTemplateTransition('CANCELLED')).toEqual({ ok: true });
    expect(checkTemplateTransition('SCHEDULED')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
  });
});

describe('recurrence', () => {
  const pattern = (input: Partial<RecurrenceInput>) => {
    const checked = checkRecurrence({ frequency: 'DAILY', timeZone: 'Europe/Berlin', count: 3, ...input });
    if ('problem' in checked) throw new Error(checked.problem.message);
    return checked.pattern;
  };
  const run = (input: Partial<RecurrenceInput>, first: { startsAt: Date; endsAt: Date }) => {
    const result = occurrences(pattern(input), first);
    if ('problem' in result) throw new Error(result.problem.message);
    return result.occurrences.map((o) => [o.sequenceNumber, o.startsAt.toISOString(), o.endsAt.toISOString()]);
  };

  it('keeps the Berlin wall-clock start across the spring change (2026-03-29)', () => {
    // 19:00 CET is 18:00Z; after the change 19:00 CEST is 17:00Z
    expect(run({ count: 3 }, { startsAt: at('2026-03-28T18:00:00Z'), endsAt: at('2026-03-28T21:00:00Z') })).toEqual([
      [1, '2026-03-28T18:00:00.000Z', '2026-03-28T21:00:00.000Z'],
      [2, '2026-03-29T17:00:00.000Z', '2026-03-29T20:00:00.000Z'],
      [3, '2026-03-30T17:00:00.000Z', '2026-03-30T20:00:00.000Z'],
    ]);
  });

  it('keeps it across the autumn change (2026-10-25), weekly on chosen days', () => {
    // Fri 2026-10-23 19:00 CEST (17:00Z); Sun 25th and Fri 30th are CET (18:00Z)
    expect(
      run(
        { frequency: 'WEEKLY', byWeekday: ['SU', 'FR'], count: 4 },
        { startsAt: at('2026-10-23T17:00:00Z'), endsAt: at('2026-10-23T22:00:00Z') },
      ),
    ).toEqual([
      [1, '2026-10-23T17:00:00.000Z', '2026-10-23T22:00:00.000Z'],
      [2, '2026-10-25T18:00:00.000Z', '2026-10-25T23:00:00.000Z'],
      [3, '2026-10-30T18:00:00.000Z', '2026-10-30T23:00:00.000Z'],
      [4, '2026-11-01T18:00:00.000Z', '2026-11-01T23:00:00.000Z'],
    ]);
  });

  it('moves a start in the spring gap forward and takes the first of a doubled autumn hour', () => {
    // 02:30 local does not exist on 2026-03-29 (→ 03:30 CEST = 01:30Z) and exists twice on 2026-10-25 (first: 00:30Z)
    expect(run({ count: 2 }, { startsAt: at('2026-03-28T01:30:00Z'), endsAt: at('2026-03-28T02:30:00Z') })[1]![1]).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(run({ count: 2 }, { startsAt: at('2026-10-24T00:30:00Z'), endsAt: at('2026-10-24T01:30:00Z') })[1]![1]).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('ends at until (inclusive) with an interval, in the pattern time zone', () => {
    expect(
      run(
        { count: null, until: at('2027-01-05T09:00:00Z'), interval: 2, timeZone: 'America/New_York' },
        { startsAt: at('2027-01-01T14:00:00Z'), endsAt: at('2027-01-01T15:00:00Z') },
      ).map(([n, s]) => [n, s]),
    ).toEqual([
      [1, '2027-01-01T14:00:00.000Z'],
      [2, '2027-01-03T14:00:00.000Z'],
    ]);
  });

  it('refuses bad patterns with a code naming the field', () => {
    const first = { startsAt: at('2027-01-01T14:00:00Z'), endsAt: at('2027-01-01T15:00:00Z') };
    const problem = (input: Partial<RecurrenceInput>) => {
      const checked = checkRecurrence({ frequency: 'DAILY', timeZone: 'Europe/Berlin', ...input });
      if ('problem' in checked) return checked.problem;
      const result = occurrences(checked.pattern, first);
      return 'problem' in result ? result.problem : null;
    };
    expect(problem({ count: 2, until: at('2027-02-01T00:00:00Z') })).toMatchObject({ field: 'recurrence.count' });
    expect(problem({})).toMatchObject({ field: 'recurrence.count' });
    expect(problem({ count: 2, timeZone: 'Mars/Olympus' })).toMatchObject({ field: 'recurrence.timeZone' });
    expect(pattern({ timeZone: 'europe/berlin' }).timeZone).toBe('Europe/Berlin');
    expect(problem({ count: 2, interval: 0 })).toMatchObject({ field: 'recurrence.interval' });
    expect(problem({ count: 2, byWeekday: ['MO'] })).toMatchObject({ field: 'recurrence.byWeekday' });
    expect(problem({ until: at('2026-12-01T00:00:00Z') })).toMatchObject({ field: 'recurrence.until' });
    expect(problem({ count: MAX_OCCURRENCES + 1 })).toMatchObject({ code: 'RECURRENCE_TOO_LONG' });
    expect(problem({ until: at('2029-01-01T00:00:00Z') })).toMatchObject({ code: 'RECURRENCE_TOO_LONG' });
    expect(problem({ count: MAX_OCCURRENCES })).toBeNull();
  });
});

describe('capacity', () => {
  it('says the range it allows', () => {
    expect(checkCapacity('capacity', 10_000_000)).toBeNull();
    for (const capacity of [-1, 10_000_001, 2_147_483_647, 1.5])
      expect(checkCapacity('capacity', capacity)?.message).toBe('capacity: must be a whole number from 0 to 10,000,000');
  });
});
