import { CROWD_LEVELS, type CrowdLevel } from '../src/domain/live-status';
import {
  DEFAULT_CROWD_MODEL,
  learnCrowd,
  localHour,
  MAX_PREDICTION_CONFIDENCE,
  predictCrowd,
  type CrowdModel,
} from '../src/domain/crowd-prediction';

const rules = DEFAULT_CROWD_MODEL;
const HOUR = 3_600_000;

/** Observes `levels` one a week at the same hour, as a venue open on Friday nights would be. */
function weeks(levels: CrowdLevel[], from = new Date('2027-06-04T20:30:00Z')): CrowdModel | null {
  let model: CrowdModel | null = null;
  levels.forEach((level, i) => {
    const at = new Date(from.getTime() + i * 7 * 24 * HOUR);
    model = learnCrowd(model, level, at, localHour('Europe/Berlin', at).start, rules) ?? model;
  });
  return model;
}

describe('the hour of the week', () => {
  it("is the venue's wall-clock hour, Monday 00:00 first", () => {
    // Friday 4 June 2027, 20:30 UTC is 22:30 in Berlin (summer time) and 16:30 in New York
    const at = new Date('2027-06-04T20:30:15.250Z');
    expect(localHour('Europe/Berlin', at)).toEqual({
      hourOfWeek: 4 * 24 + 22,
      start: new Date('2027-06-04T20:00:00Z'),
      end: new Date('2027-06-04T21:00:00Z'),
    });
    expect(localHour('America/New_York', at).hourOfWeek).toBe(4 * 24 + 16);
    // Kolkata is 5:30 ahead: its hours start at half past UTC's
    expect(localHour('Asia/Kolkata', at)).toMatchObject({ hourOfWeek: 5 * 24 + 2, start: new Date('2027-06-04T20:30:00Z') });
    expect(localHour('Europe/Berlin', new Date('2027-06-06T21:59:00Z')).hourOfWeek).toBe(167); // Sunday 23:59
    expect(localHour('Europe/Berlin', new Date('2027-06-06T22:00:00Z')).hourOfWeek).toBe(0); // Monday 00:00
  });
});

describe('learning the usual crowd', () => {
  it('samples an hour at most once, however often the sources speak in it', () => {
    const at = new Date('2027-06-04T20:05:00Z');
    const { start } = localHour('Europe/Berlin', at);
    const first = learnCrowd(null, 'PACKED', at, start, rules)!;
    expect(first).toEqual({ level: 4, weight: 1, samples: 1, lastSampleAt: at });
    expect(learnCrowd(first, 'EMPTY', new Date(at.getTime() + 50 * 60_000), start, rules)).toBeNull();
    const nextHour = new Date(at.getTime() + HOUR);
    expect(learnCrowd(first, 'EMPTY', nextHour, localHour('Europe/Berlin', nextHour).start, rules)!.samples).toBe(2);
  });

  it('weighs older samples less, and bounds the weight so a venue that changes is followed', () => {
    const model = weeks(['PACKED', 'BUSY', 'PACKED', 'PACKED'])!;
    expect(model.samples).toBe(4);
    expect(model.level).toBeGreaterThan(3.5);
    const many = weeks(Array<CrowdLevel>(50).fill('PACKED'))!;
    expect(many.weight).toBeLessThanOrEqual(rules.maxWeight + 1);
    // after a year of PACKED nights the venue goes quiet: within a quarter the model says so
    const after = weeks([...Array<CrowdLevel>(50).fill('PACKED'), ...Array<CrowdLevel>(13).fill('QUIET')])!;
    expect(CROWD_LEVELS[Math.round(after.level)]).toBe('QUIET');
    // the last sample moves the mean by at least 1 / (maxWeight + 1) of the gap
    const once = weeks([...Array<CrowdLevel>(50).fill('PACKED'), 'EMPTY'])!;
    expect(4 - once.level).toBeGreaterThanOrEqual(4 / (rules.maxWeight + 1) - 1e-9);
  });
});

describe('predicting', () => {
  it('says nothing before enough samples, then a crowd level only, until the hour ends', () => {
    const end = new Date('2027-06-25T21:00:00Z');
    expect(predictCrowd(weeks(['BUSY', 'BUSY']), end, rules)).toBeNull();
    const shown = predictCrowd(weeks(['BUSY', 'BUSY', 'PACKED']), end, rules)!;
    expect(shown).toMatchObject({ open: null, waitMinutes: null, special: null, source: 'PREDICTION', validUntil: end });
    expect(shown.crowdLevel).toBe('BUSY');
  });

  it('is less sure than an observation, and surer with more samples', () => {
    const end = new Date('2027-06-25T21:00:00Z');
    const confidence = (n: number) => predictCrowd(weeks(Array<CrowdLevel>(n).fill('BUSY')), end, rules)!.confidence;
    expect(confidence(3)).toBeGreaterThan(0);
    expect(confidence(4)).toBeGreaterThan(confidence(3));
    expect(confidence(40)).toBeGreaterThan(confidence(10));
    expect(confidence(200)).toBeLessThan(MAX_PREDICTION_CONFIDENCE);
  });
});
