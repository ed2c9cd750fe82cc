import { DomainError } from '@eventgraph/runtime';
import {
  aggregateReports,
  checkBusinessStatus,
  checkReport,
  crowdFromOccupancy,
  DEFAULT_RULES,
  reportRetryAfterSeconds,
  reportsRecomputeAt,
  statusFromOccupancy,
  type Report,
} from '../src/domain/live-status';

const NOW = new Date('2027-06-12T20:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const rules = { ...DEFAULT_RULES, minAgreeingUsers: 3 };

function refusedField(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).extensions.code).toBe('BAD_USER_INPUT');
    return (err as DomainError).extensions.field;
  }
  throw new Error('accepted');
}

describe('live status: what may be said', () => {
  it('refuses impossible waits, empty statuses and validity out of bounds', () => {
    expect(refusedField(() => checkBusinessStatus({ waitMinutes: 601 }, NOW, rules))).toBe('waitMinutes');
    expect(refusedField(() => checkBusinessStatus({ waitMinutes: -1 }, NOW, rules))).toBe('waitMinutes');
    expect(refusedField(() => checkBusinessStatus({ waitMinutes: 2.5 }, NOW, rules))).toBe('waitMinutes');
    expect(refusedField(() => checkBusinessStatus({}, NOW, rules))).toBe('open');
    expect(refusedField(() => checkBusinessStatus({ special: 'x'.repeat(81) }, NOW, rules))).toBe('special');
    expect(refusedField(() => checkBusinessStatus({ open: true, validUntil: minutesAgo(1) }, NOW, rules))).toBe('validUntil');
    expect(refusedField(() => checkBusinessStatus({ open: true, validUntil: minutesAgo(-721) }, NOW, rules))).toBe('validUntil');
    expect(refusedField(() => checkReport({ waitMinutes: 9999 }))).toBe('waitMinutes');
    expect(refusedField(() => checkReport({}))).toBe('open');
  });

  it('gives a business status the default validity', () => {
    const status = checkBusinessStatus({ crowdLevel: 'BUSY', special: ' happy hour ' }, NOW, rules);
    expect(status).toEqual({
      open: null,
      crowdLevel: 'BUSY',
      waitMinutes: null,
      special: 'happy hour',
      validUntil: minutesAgo(-60),
    });
  });

  it('lets a user report again only after the interval', () => {
    expect(reportRetryAfterSeconds(null, NOW, rules)).toBe(0);
    expect(reportRetryAfterSeconds(minutesAgo(4), NOW, rules)).toBe(360);
    expect(reportRetryAfterSeconds(minutesAgo(10), NOW, rules)).toBe(0);
  });
});

describe('live status: reports together', () => {
  const report = (userId: string, ago: number, facts: Partial<Report>): Report => ({
    userId,
    createdAt: minutesAgo(ago),
    open: null,
    crowdLevel: null,
    waitMinutes: null,
    ...facts,
  });

  it('shows nothing on fewer than K agreeing users, however many reports one user sends', () => {
    const one = [report('a', 1, { crowdLevel: 'PACKED' }), report('a', 20, { crowdLevel: 'PACKED' })];
    expect(aggregateReports(one, NOW, rules)).toBeNull();
    const two = [...one, report('b', 2, { crowdLevel: 'PACKED' })];
    expect(aggregateReports(two, NOW, rules)).toBeNull();
    const three = [...two, report('c', 3, { crowdLevel: 'BUSY' })];
    expect(aggregateReports(three, NOW, rules)).toMatchObject({ crowdLevel: 'PACKED', source: 'USER_REPORTS' });
  });

  it('weighs by agreement and recency: the recent majority wins, old reports fall out of the window', () => {
    const reports = [
      report('a', 2, { open: true, waitMinutes: 20 }),
      report('b', 4, { open: true, waitMinutes: 25 }),
      report('c', 6, { open: true, waitMinutes: 22 }),
      report('d', 40, { open: false, waitMinutes: 90 }),
      report('e', 50, { open: false }), // outside the 45-minute window
    ];
    const status = aggregateReports(reports, NOW, rules)!;
    expect(status.open).toBe(true);
    expect(status.waitMinutes).toBe(22);
    expect(status.updatedAt).toEqual(minutesAgo(2));
    expect(status.validUntil).toEqual(minutesAgo(2 - 45));
    expect(status.confidence).toBeGreaterThan(0.5);
    expect(status.confidence).toBeLessThan(1);
    // split evenly between open and closed: no side has K users, nothing shown
    const split = ['a', 'b', 'c', 'd'].map((u, i) => report(u, i + 1, { open: i % 2 === 0 }));
    expect(aggregateReports(split, NOW, rules)).toBeNull();
  });

  it('is surer the more users agree', () => {
    const agreeing = (n: number) => Array.from({ length: n }, (_, i) => report(`u${i}`, 1, { crowdLevel: 'QUIET' }));
    expect(aggregateReports(agreeing(8), NOW, rules)!.confidence).toBeGreaterThan(
      aggregateReports(agreeing(3), NOW, rules)!.confidence,
    );
  });
});

describe('live status: sources', () => {
  it('derives the crowd from inside now of capacity', () => {
    expect(crowdFromOccupancy(0, 100)).toBe('EMPTY');
    expect(crowdFromOccupancy(10, 100)).toBe('QUIET');
    expect(crowdFromOccupancy(40, 100)).toBe('MODERATE');
    expect(crowdFromOccupancy(80, 100)).toBe('BUSY');
    expect(crowdFromOccupancy(95, 100)).toBe('PACKED');
    expect(crowdFromOccupancy(5, 0)).toBeNull();
    const status = statusFromOccupancy(
      [
        { insideNow: 450, capacity: 500, observedAt: minutesAgo(1), eventEndsAt: minutesAgo(-60) },
        { insideNow: 999, capacity: 1000, observedAt: minutesAgo(1), eventEndsAt: minutesAgo(5) }, // that event is over
      ],
      NOW,
    );
    expect(status).toMatchObject({ crowdLevel: 'PACKED', source: 'CHECK_IN_DATA', validUntil: minutesAgo(-60) });
  });
});

describe('live status: when an aggregate of reports changes by itself', () => {
  const report = (userId: string, age: number): Report => ({
    userId,
    open: true,
    crowdLevel: null,
    waitMinutes: null,
    createdAt: minutesAgo(age),
  });

  it('is when the oldest report in the window leaves it; never without one', () => {
    const reports = [report('a', 40), report('b', 10), report('c', 50), report('d', -1)];
    // c is out of the window already, d is from the future: a, 40 minutes old, leaves in 5 minutes
    expect(reportsRecomputeAt(reports, NOW, rules)).toEqual(minutesAgo(-5));
    expect(reportsRecomputeAt([report('c', 50)], NOW, rules)).toBeNull();
    expect(reportsRecomputeAt([], NOW, rules)).toBeNull();
  });

  it('is after the aggregate was decided, and the aggregate without that report is what shows then', () => {
    const reports = [report('a', 40), report('b', 10), report('c', 5), report('d', 1)];
    const at = reportsRecomputeAt(reports, NOW, rules)!;
    expect(aggregateReports(reports, NOW, rules)).not.toBeNull();
    const later = aggregateReports(reports, at, rules)!;
    expect(later.open).toBe(true); // b, c and d still agree
    expect(reportsRecomputeAt(reports, at, rules)).toEqual(new Date(minutesAgo(10).getTime() + 45 * 60_000));
    expect(aggregateReports(reports, new Date(minutesAgo(10).getTime() + 45 * 60_000), rules)).toBeNull();
  });
});
