import { readDate } from '../../src/domain/parse/dates';
import { resolveTimeZone, zonedInstant } from '../../src/domain/parse/time-zones';

const at = (value: unknown, timeZone?: string) => {
  const reading = readDate(value, { timeZone });
  return reading && reading !== 'invalid' ? reading.at.toISOString() : reading;
};

describe('time-zone names from feeds', () => {
  it.each([
    ['Europe/Berlin', 'Europe/Berlin'],
    ['US/Central', 'America/Chicago'],
    ['W. Europe Standard Time', 'Europe/Berlin'],
    ['"Pacific Standard Time"', 'America/Los_Angeles'],
    ['/mozilla.org/20070129_1/Europe/Berlin', 'Europe/Berlin'],
    ['(UTC-05:00) Eastern Time (US & Canada)', 'America/New_York'],
    ['(GMT+10:00) Canberra, Melbourne, Sydney', 'Australia/Sydney'],
    ['(UTC+04:00) Somewhere Unlisted', 'Etc/GMT-4'],
  ])('%s → %s', (name, zone) => expect(resolveTimeZone(name)).toBe(zone));

  it('knows no zone in nonsense', () => {
    expect(resolveTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(resolveTimeZone('')).toBeUndefined();
  });

  it('converts wall-clock times across DST: the doubled hour takes its first instant, the skipped one moves forward', () => {
    const local = (day: number, hour: number, minute = 0) => ({ year: 2027, month: 3, day, hour, minute, second: 0 });
    expect(zonedInstant(local(28, 2, 30), 'Europe/Berlin').toISOString()).toBe('2027-03-28T01:30:00.000Z'); // 02:30 does not exist
    expect(zonedInstant({ ...local(31, 2, 30), month: 10 }, 'Europe/Berlin').toISOString()).toBe('2027-10-31T00:30:00.000Z'); // first 02:30
    expect(zonedInstant(local(1, 12), 'America/New_York').toISOString()).toBe('2027-03-01T17:00:00.000Z');
  });
});

describe('dates as listings write them', () => {
  it.each([
    ['2027-07-12T19:30:00+02:00', undefined, '2027-07-12T17:30:00.000Z'],
    ['2027-07-12T19:30', 'Europe/London', '2027-07-12T18:30:00.000Z'],
    ['Sat 12 July 2027 19:30', 'Europe/Berlin', '2027-07-12T17:30:00.000Z'],
    ['July 12, 2027 7:30 pm', 'America/New_York', '2027-07-12T23:30:00.000Z'],
    ['12. Juli 2027, 20:00 Uhr', 'Europe/Berlin', '2027-07-12T18:00:00.000Z'],
    ['12.07.2027', 'UTC', '2027-07-12T00:00:00.000Z'],
    ['Mon, 12 Jul 2027 19:30:00 GMT', undefined, '2027-07-12T19:30:00.000Z'],
    ['1815000000', undefined, new Date(1_815_000_000 * 1000).toISOString()], // Unix seconds
  ])('%s in %s', (text, zone, expected) => expect(at(text, zone)).toBe(expected));

  it('marks a date without a time as all-day, and refuses days the calendar has not', () => {
    expect(readDate('2027-07-12', { timeZone: 'Europe/Berlin' })).toEqual({
      at: new Date('2027-07-11T22:00:00Z'),
      allDay: true,
      timeZone: 'Europe/Berlin',
    });
    expect(at('2027-02-30')).toBe('invalid');
    expect(at('31 June 2027')).toBe('invalid');
    expect(at('someday')).toBe('invalid');
    expect(at('   ')).toBeUndefined();
  });
});
