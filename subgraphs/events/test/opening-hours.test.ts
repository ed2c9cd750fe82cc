import { DomainError } from '@eventgraph/runtime';
import { checkOpeningHours, isOpenAt, openingState, type OpeningHoursInput } from '../src/domain/opening-hours';

const BERLIN = 'Europe/Berlin';
const at = (iso: string) => new Date(iso);

function refusal(input: OpeningHoursInput): { field: unknown; message: string } {
  try {
    checkOpeningHours(input);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    const e = err as DomainError;
    expect(e.extensions.code).toBe('BAD_USER_INPUT');
    return { field: e.extensions.field, message: e.message };
  }
  throw new Error('accepted');
}

describe('opening hours: what may be set', () => {
  it('refuses times that are no time of day, naming the field', () => {
    expect(refusal({ weekly: [{ weekday: 'MO', opens: '25:00', closes: '26:00' }] }).field).toBe('weekly[0].opens');
    expect(refusal({ weekly: [{ weekday: 'MO', opens: '24:00', closes: '02:00' }] }).field).toBe('weekly[0].opens');
    expect(refusal({ weekly: [{ weekday: 'MO', opens: '9:00', closes: '17:00' }] }).field).toBe('weekly[0].opens');
    expect(refusal({ weekly: [{ weekday: 'MO', opens: '09:00', closes: '17:60' }] }).field).toBe('weekly[0].closes');
  });

  it('refuses overlapping intervals, also a night running into the next day and around the week', () => {
    expect(
      refusal({
        weekly: [
          { weekday: 'MO', opens: '09:00', closes: '17:00' },
          { weekday: 'MO', opens: '16:00', closes: '20:00' },
        ],
      }).field,
    ).toBe('weekly[1]');
    expect(
      refusal({
        weekly: [
          { weekday: 'FR', opens: '22:00', closes: '04:00' },
          { weekday: 'SA', opens: '03:00', closes: '12:00' },
        ],
      }).field,
    ).toBe('weekly[1]');
    expect(
      refusal({
        weekly: [
          { weekday: 'SU', opens: '20:00', closes: '06:00' },
          { weekday: 'MO', opens: '05:00', closes: '12:00' },
        ],
      }).field,
    ).toBe('weekly[1]');
  });

  it('refuses exceptions that contradict themselves or repeat a date, and impossible dates', () => {
    const weekly = [{ weekday: 'MO' as const, opens: '09:00', closes: '17:00' }];
    expect(
      refusal({ weekly, exceptions: [{ date: '2027-12-24', closed: true, intervals: [{ opens: '09:00', closes: '12:00' }] }] })
        .field,
    ).toBe('exceptions[0].intervals');
    expect(refusal({ weekly, exceptions: [{ date: '2027-12-24' }] }).field).toBe('exceptions[0].intervals');
    expect(
      refusal({
        weekly,
        exceptions: [
          { date: '2027-12-24', closed: true },
          { date: '2027-12-24', closed: true },
        ],
      }).field,
    ).toBe('exceptions[1].date');
    expect(refusal({ weekly, exceptions: [{ date: '2027-02-30', closed: true }] }).field).toBe('exceptions[0].date');
  });

  it('keeps a night past midnight as minutes after 24:00 of the day it opens', () => {
    const hours = checkOpeningHours({ weekly: [{ weekday: 'FR', opens: '22:00', closes: '03:00' }] });
    expect(hours.weekly).toEqual([{ weekday: 5, opens: 1320, closes: 1620 }]);
    expect(checkOpeningHours({ weekly: [{ weekday: 'FR', opens: '10:00', closes: '24:00' }] }).weekly[0]!.closes).toBe(1440);
  });
});

describe('opening hours: open now, next opening and closing', () => {
  // a bar: Tuesday to Thursday 17:00–24:00, Friday and Saturday nights until 03:00
  const bar = checkOpeningHours({
    weekly: [
      { weekday: 'TU', opens: '17:00', closes: '24:00' },
      { weekday: 'WE', opens: '17:00', closes: '24:00' },
      { weekday: 'TH', opens: '17:00', closes: '24:00' },
      { weekday: 'FR', opens: '17:00', closes: '03:00' },
      { weekday: 'SA', opens: '17:00', closes: '03:00' },
    ],
    exceptions: [
      { date: '2027-06-18', closed: true, note: 'private party' }, // a Friday
      {
        date: '2027-06-22',
        intervals: [
          { opens: '12:00', closes: '14:00' },
          { opens: '20:00', closes: '02:00' },
        ],
      }, // a Tuesday
    ],
  });

  it('counts a night past midnight on the day it opened', () => {
    // Saturday 2027-06-12, 01:30 in Berlin (CEST, UTC+2): Friday's night
    expect(isOpenAt(bar, BERLIN, at('2027-06-11T23:30:00Z'))).toBe(true);
    expect(isOpenAt(bar, BERLIN, at('2027-06-12T01:00:00Z'))).toBe(false); // 03:00 local: closed
    expect(isOpenAt(bar, BERLIN, at('2027-06-13T23:30:00Z'))).toBe(false); // Monday 01:30: Sunday had no night
    expect(openingState(bar, BERLIN, at('2027-06-11T23:30:00Z'))).toEqual({
      openNow: true,
      nextClosingAt: at('2027-06-12T01:00:00Z'),
      nextOpeningAt: at('2027-06-12T15:00:00Z'),
    });
  });

  it('takes an exception instead of the weekly hours of its date, and keeps the night before', () => {
    // Friday 2027-06-18 closed: 19:00 local is closed, next opening Saturday 17:00
    expect(openingState(bar, BERLIN, at('2027-06-18T17:00:00Z'))).toEqual({
      openNow: false,
      nextOpeningAt: at('2027-06-19T15:00:00Z'),
      nextClosingAt: at('2027-06-20T01:00:00Z'),
    });
    // Thursday's evening before it closes at midnight as usual
    expect(isOpenAt(bar, BERLIN, at('2027-06-17T21:30:00Z'))).toBe(true);
    // Tuesday 2027-06-22: lunch and a late night instead of 17:00–24:00
    expect(isOpenAt(bar, BERLIN, at('2027-06-22T10:30:00Z'))).toBe(true);
    expect(isOpenAt(bar, BERLIN, at('2027-06-22T16:00:00Z'))).toBe(false);
    expect(isOpenAt(bar, BERLIN, at('2027-06-22T23:30:00Z'))).toBe(true); // Wednesday 01:30 local
    expect(isOpenAt(bar, BERLIN, at('2027-06-23T00:30:00Z'))).toBe(false); // Wednesday 02:30 local
  });

  it('merges intervals that touch into one opening', () => {
    const allNight = checkOpeningHours({
      weekly: [
        { weekday: 'MO', opens: '20:00', closes: '24:00' },
        { weekday: 'TU', opens: '00:00', closes: '04:00' },
      ],
    });
    // Monday 2027-06-14 21:00 local
    expect(openingState(allNight, BERLIN, at('2027-06-14T19:00:00Z')).nextClosingAt).toEqual(at('2027-06-15T02:00:00Z'));
  });

  it('follows the wall clock across the spring change: a night over it is an hour shorter', () => {
    // Berlin springs forward on Sunday 2027-03-28 at 02:00 CET (01:00Z) to 03:00 CEST
    const club = checkOpeningHours({ weekly: [{ weekday: 'SA', opens: '22:00', closes: '05:00' }] });
    const state = openingState(club, BERLIN, at('2027-03-27T22:00:00Z')); // 23:00 CET
    expect(state.openNow).toBe(true);
    expect(state.nextClosingAt).toEqual(at('2027-03-28T03:00:00Z')); // 05:00 CEST: six hours after 22:00 CET (21:00Z)
    expect(isOpenAt(club, BERLIN, at('2027-03-28T02:59:00Z'))).toBe(true);
    expect(isOpenAt(club, BERLIN, at('2027-03-28T03:00:00Z'))).toBe(false);
    // an opening time the change skips moves forward by the gap (02:30 → 03:30 CEST)
    const early = checkOpeningHours({ weekly: [{ weekday: 'SU', opens: '02:30', closes: '08:00' }] });
    expect(openingState(early, BERLIN, at('2027-03-27T12:00:00Z')).nextOpeningAt).toEqual(at('2027-03-28T01:30:00Z'));
  });

  it('follows the wall clock across the autumn change: a night over it is an hour longer', () => {
    // Berlin falls back on Sunday 2027-10-31 at 03:00 CEST (01:00Z) to 02:00 CET
    const club = checkOpeningHours({ weekly: [{ weekday: 'SA', opens: '22:00', closes: '05:00' }] });
    expect(openingState(club, BERLIN, at('2027-10-30T21:00:00Z')).nextClosingAt).toEqual(at('2027-10-31T04:00:00Z'));
    expect(isOpenAt(club, BERLIN, at('2027-10-31T01:30:00Z'))).toBe(true); // the second 02:30
    expect(isOpenAt(club, BERLIN, at('2027-10-31T03:59:00Z'))).toBe(true); // 04:59 CET
    expect(isOpenAt(club, BERLIN, at('2027-10-31T04:00:00Z'))).toBe(false);
  });

  it('judges in the venue’s own zone, not the server’s', () => {
    const diner = checkOpeningHours({ weekly: [{ weekday: 'MO', opens: '07:00', closes: '15:00' }] });
    // Monday 2027-03-15 08:00 in New York (EDT since 2027-03-14) is 12:00Z
    expect(isOpenAt(diner, 'America/New_York', at('2027-03-15T12:00:00Z'))).toBe(true);
    expect(isOpenAt(diner, 'Asia/Kolkata', at('2027-03-15T12:00:00Z'))).toBe(false); // 17:30 there
    expect(openingState(diner, 'America/New_York', at('2027-03-15T20:00:00Z')).nextOpeningAt).toEqual(at('2027-03-22T11:00:00Z'));
  });

  it('has no next opening without hours', () => {
    expect(openingState({ weekly: [], exceptions: [] }, BERLIN, new Date())).toEqual({
      openNow: false,
      nextOpeningAt: null,
      nextClosingAt: null,
    });
  });
});
