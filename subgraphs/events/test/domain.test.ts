import { checkEventTransition, EVENT_TRANSITIONS, type EventStatus } from '../src/domain/event-lifecycle';
import { checkSchedule, isTimeZone } from '../src/domain/schedule';

describe('the event lifecycle', () => {
  it('follows draft → published → on_sale ⇄ paused → closed', () => {
    const path: EventStatus[] = ['DRAFT', 'PUBLISHED', 'ON_SALE', 'PAUSED', 'ON_SALE', 'CLOSED'];
    for (let i = 1; i < path.length; i++) expect(checkEventTransition(path[i - 1]!, path[i]!)).toEqual({ ok: true });
  });

  it('archives from every status but archived, which is final', () => {
    for (const from of Object.keys(EVENT_TRANSITIONS) as EventStatus[]) {
      expect(checkEventTransition(from, 'ARCHIVED').ok).toBe(from !== 'ARCHIVED');
    }
    expect(checkEventTransition('ARCHIVED', 'DRAFT')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
  });

  it('refuses going back to draft and skipping publication', () => {
    expect(checkEventTransition('PUBLISHED', 'DRAFT')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(checkEventTransition('DRAFT', 'ON_SALE')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(checkEventTransition('CLOSED', 'ON_SALE')).toMatchObject({ ok: false });
  });
});

describe('schedule rules', () => {
  it('accepts IANA time zones and refuses anything else', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('requires an end strictly after the start', () => {
    const start = new Date('2027-07-01T14:00:00Z');
    expect(checkSchedule(start, new Date('2027-07-01T15:00:00Z'))).toBeNull();
    expect(checkSchedule(start, start)).toEqual({ field: 'endsAt', message: 'must be after startsAt' });
    expect(checkSchedule(start, new Date('2027-07-01T13:00:00Z'))).toMatchObject({ field: 'endsAt' });
  });
});
