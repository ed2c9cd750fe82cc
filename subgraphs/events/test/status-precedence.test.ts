import type { LiveStatus } from '../src/domain/live-status';
import { currentStatus, openNowOf, showsSame } from '../src/domain/status-precedence';

const NOW = new Date('2027-06-12T20:00:00Z');
const of = (source: LiveStatus['source'], validForMinutes: number, open: boolean | null = true): LiveStatus => ({
  open,
  crowdLevel: null,
  waitMinutes: null,
  special: null,
  source,
  confidence: 1,
  validUntil: new Date(NOW.getTime() + validForMinutes * 60_000),
  updatedAt: NOW,
});
const none = { business: null, checkIns: null, reports: null, prediction: null };

describe('which source shows', () => {
  it('lets the business win while valid, then check-ins, then reports; expired is none', () => {
    const all = {
      business: of('BUSINESS', 5),
      checkIns: of('CHECK_IN_DATA', 5),
      reports: of('USER_REPORTS', 5),
      prediction: of('PREDICTION', 5, null),
    };
    expect(currentStatus(all, NOW)!.source).toBe('BUSINESS');
    expect(currentStatus({ ...all, business: of('BUSINESS', 0) }, NOW)!.source).toBe('CHECK_IN_DATA');
    expect(currentStatus({ ...none, business: of('BUSINESS', -1), reports: of('USER_REPORTS', 5) }, NOW)!.source).toBe(
      'USER_REPORTS',
    );
    expect(currentStatus({ ...none, business: of('BUSINESS', -1), reports: of('USER_REPORTS', -1) }, NOW)).toBeNull();
  });

  it('shows the prediction only when no observed source is valid', () => {
    const prediction = of('PREDICTION', 5, null);
    expect(currentStatus({ ...none, reports: of('USER_REPORTS', 1), prediction }, NOW)!.source).toBe('USER_REPORTS');
    expect(currentStatus({ ...none, reports: of('USER_REPORTS', -1), prediction }, NOW)!.source).toBe('PREDICTION');
    expect(currentStatus({ ...none, prediction: of('PREDICTION', 0, null) }, NOW)).toBeNull();
  });
});

describe('open now', () => {
  const hoursSay = (open: boolean | null) => () => open;

  it('takes the first valid source that says open or closed: business, check-in data, reports', () => {
    const all = { ...none, business: of('BUSINESS', 5, false), checkIns: of('CHECK_IN_DATA', 5), reports: of('USER_REPORTS', 5) };
    expect(openNowOf(all, NOW, hoursSay(true))).toBe(false);
    expect(openNowOf({ ...all, business: of('BUSINESS', 5, null) }, NOW, hoursSay(false))).toBe(true);
    expect(openNowOf({ ...none, reports: of('USER_REPORTS', 5, false) }, NOW, hoursSay(true))).toBe(false);
    expect(openNowOf({ ...none, business: of('BUSINESS', 5, null), reports: of('USER_REPORTS', 5) }, NOW, hoursSay(false))).toBe(
      true,
    );
  });

  it('falls back to the hours when no valid source says it, and is null with neither', () => {
    expect(openNowOf({ ...none, reports: of('USER_REPORTS', -1, false) }, NOW, hoursSay(true))).toBe(true);
    expect(openNowOf({ ...none, business: of('BUSINESS', 0, false) }, NOW, hoursSay(null))).toBeNull();
    expect(openNowOf(none, NOW, hoursSay(false))).toBe(false);
  });

  it('is never decided by a prediction, even one that would say so', () => {
    expect(openNowOf({ ...none, prediction: of('PREDICTION', 5, true) }, NOW, hoursSay(false))).toBe(false);
    expect(openNowOf({ ...none, prediction: of('PREDICTION', 5, true) }, NOW, hoursSay(null))).toBeNull();
  });
});

describe('whether a change is worth announcing', () => {
  it('compares open, crowd and wait, not confidence or times', () => {
    const lessSure: LiveStatus = { ...of('USER_REPORTS', 9), confidence: 0.3 };
    expect(showsSame(of('USER_REPORTS', 5), lessSure)).toBe(true);
    expect(showsSame(of('USER_REPORTS', 5), of('USER_REPORTS', 5, false))).toBe(false);
    expect(showsSame(of('USER_REPORTS', 5), { ...of('USER_REPORTS', 5), crowdLevel: 'BUSY' })).toBe(false);
    expect(showsSame(null, of('USER_REPORTS', 5))).toBe(false);
    expect(showsSame(null, null)).toBe(true);
  });
});
