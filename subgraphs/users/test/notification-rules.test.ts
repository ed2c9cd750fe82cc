import { DomainError } from '@eventgraph/runtime';
import {
  deliveryTime,
  digestDueBefore,
  distanceKm,
  eventTerms,
  foldsIntoDigest,
  matchEvent,
  startOfLocalDay,
  type EventFacts,
} from '../src/domain/notification-matching';
import { validatePreferences } from '../src/domain/notification-preferences';
import { checkUnsubscribeToken, unsubscribeToken } from '../src/domain/notification-unsubscribe';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'OK';
  } catch (err) {
    return (err as DomainError).extensions.code;
  }
};

const event = (over: Partial<EventFacts> = {}): EventFacts => ({
  eventId: 'e1',
  title: 'Late Night Jazz at the Harbour',
  categories: ['music'],
  tags: ['live music'],
  startsAt: new Date('2027-06-05T19:30:00Z'), // a Saturday, 21:30 in Berlin (CEST)
  latitude: 52.52,
  longitude: 13.405,
  priceMin: 1500,
  priceMax: 2500,
  currency: 'EUR',
  ...over,
});
const none = { followsOrganization: false, followsOwner: false };

describe('notification preferences', () => {
  it('normalises what it keeps', () => {
    const p = validatePreferences({
      categories: [' Music ', 'music', 'film'],
      keywords: ['  Jazz ', 'live   Music'],
      days: [6, 5, 6],
      timeWindows: [{ from: '18:00', to: '23:30' }],
      timeZone: 'europe/berlin',
      quietHours: { from: '22:00', to: '07:00' },
      price: { max: 3000, currency: 'eur' },
    });
    expect(p).toMatchObject({
      categories: ['music', 'film'],
      keywords: ['jazz', 'live music'],
      days: [5, 6],
      timeWindows: [{ from: 1080, to: 1410 }],
      timeZone: 'Europe/Berlin',
      quietFrom: 1320,
      quietTo: 420,
      currency: 'EUR',
      channels: ['IN_APP'],
      dailyCap: 10,
    });
  });

  it('refuses bad input with its code', () => {
    expect(codeOf(() => validatePreferences({ categories: ['music', 'karaoke'] }))).toBe('UNKNOWN_CATEGORY');
    expect(codeOf(() => validatePreferences({ home: { latitude: 1, longitude: 1 }, maxDistanceKm: -1 }))).toBe(
      'NEGATIVE_DISTANCE',
    );
    expect(codeOf(() => validatePreferences({ maxDistanceKm: 5 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => validatePreferences({ days: [0] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => validatePreferences({ timeWindows: [{ from: '25:00', to: '26:00' }] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => validatePreferences({ timeZone: 'Mars/Olympus' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => validatePreferences({ price: { min: 10, max: 5, currency: 'EUR' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => validatePreferences({ dailyCap: 0 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => validatePreferences({ keywords: ['one two three'] }))).toBe('BAD_USER_INPUT');
  });
});

describe('matching an event', () => {
  it('says why: interest first, then the filters passed', () => {
    const prefs = validatePreferences({
      categories: ['music'],
      keywords: ['jazz', 'live music'],
      days: [6],
      timeWindows: [{ from: '20:00', to: '23:00' }],
      timeZone: 'Europe/Berlin',
      home: { latitude: 52.5, longitude: 13.4 },
      maxDistanceKm: 10,
      price: { max: 2000, currency: 'EUR' },
    });
    const reasons = matchEvent(prefs, { followsOrganization: true, followsOwner: false }, event());
    expect(reasons?.map((r) => r.kind)).toEqual([
      'FOLLOWED_ORGANIZATION',
      'CATEGORY',
      'KEYWORD',
      'KEYWORD',
      'DAY_AND_TIME',
      'DISTANCE',
      'PRICE',
    ]);
    expect(reasons?.find((r) => r.kind === 'DAY_AND_TIME')?.detail).toBe('Saturday 21:30 (Europe/Berlin)');
  });

  it('needs an interest, and every filter set', () => {
    const base = validatePreferences({ categories: ['film'] });
    expect(matchEvent(base, none, event())).toBeNull();
    expect(matchEvent(base, { followsOrganization: false, followsOwner: true }, event())?.[0]?.kind).toBe('FOLLOWED_PERSON');
    const music = (extra: object) => validatePreferences({ categories: ['music'], ...extra });
    expect(matchEvent(music({ days: [1] }), none, event())).toBeNull();
    expect(
      matchEvent(music({ timeWindows: [{ from: '08:00', to: '12:00' }], timeZone: 'Europe/Berlin' }), none, event()),
    ).toBeNull();
    // a window across midnight
    expect(
      matchEvent(music({ timeWindows: [{ from: '21:00', to: '01:00' }], timeZone: 'Europe/Berlin' }), none, event()),
    ).not.toBeNull();
    const far = { home: { latitude: 48.14, longitude: 11.58 }, maxDistanceKm: 100 };
    expect(matchEvent(music(far), none, event())).toBeNull();
    expect(matchEvent(music(far), none, event({ latitude: null, longitude: null }))).toBeNull();
    expect(matchEvent(music({ price: { max: 1000, currency: 'EUR' } }), none, event())).toBeNull();
    expect(matchEvent(music({ price: { max: 5000, currency: 'GBP' } }), none, event())).toBeNull();
    expect(matchEvent(music({ price: { min: 3000, currency: 'EUR' } }), none, event())).toBeNull();
    const free = matchEvent(music({ price: { max: 0, currency: 'EUR' } }), none, event({ priceMin: null, priceMax: null }));
    expect(free?.at(-1)).toEqual({ kind: 'PRICE', detail: 'free' });
  });

  it('matches keywords as whole words and neighbouring pairs', () => {
    expect(eventTerms(event())).toEqual(expect.arrayContaining(['jazz', 'late night', 'live music', 'music']));
    expect(eventTerms(event({ title: 'Jazzy evening', tags: [], categories: [] }))).not.toContain('jazz');
    expect(distanceKm({ lat: 52.52, lon: 13.405 }, { lat: 48.1372, lon: 11.5756 })).toBeCloseTo(504, 0);
  });
});

describe('quiet hours and the daily cap', () => {
  const quiet = { quietFrom: 22 * 60, quietTo: 7 * 60, timeZone: 'Europe/Berlin' };
  it('holds a notification until quiet hours end, in the user’s zone', () => {
    // 23:30 Berlin (CEST) → 07:00 the next morning
    expect(deliveryTime(quiet, new Date('2027-06-05T21:30:00Z')).toISOString()).toBe('2027-06-06T05:00:00.000Z');
    // 03:00 Berlin → 07:00 the same morning
    expect(deliveryTime(quiet, new Date('2027-06-06T01:00:00Z')).toISOString()).toBe('2027-06-06T05:00:00.000Z');
    const noon = new Date('2027-06-06T10:00:00Z');
    expect(deliveryTime(quiet, noon)).toBe(noon);
    expect(deliveryTime({ quietFrom: null, quietTo: null, timeZone: 'UTC' }, noon)).toBe(noon);
  });
  it('counts the day from local midnight and folds what is over the cap', () => {
    expect(startOfLocalDay('Europe/Berlin', new Date('2027-06-05T21:30:00Z')).toISOString()).toBe('2027-06-04T22:00:00.000Z');
    expect(foldsIntoDigest(9, 10)).toBe(false);
    expect(foldsIntoDigest(10, 10)).toBe(true);
  });
  it('sends the digest of the days that ended, once quiet hours allow', () => {
    // 08:00 Berlin: what was folded before local midnight is due
    expect(digestDueBefore(quiet, new Date('2027-06-06T06:00:00Z'))?.toISOString()).toBe('2027-06-05T22:00:00.000Z');
    // 03:00 Berlin, in quiet hours: nothing yet
    expect(digestDueBefore(quiet, new Date('2027-06-06T01:00:00Z'))).toBeNull();
    // no quiet hours: right after midnight
    const utc = { quietFrom: null, quietTo: null, timeZone: 'UTC' };
    expect(digestDueBefore(utc, new Date('2027-06-06T00:00:01Z'))?.toISOString()).toBe('2027-06-06T00:00:00.000Z');
  });
});

describe('unsubscribe tokens', () => {
  const secret = 'a-platform-secret-of-some-length';
  const claim = { userId: '0b6f2c1e-6a59-4c3e-9a43-3c1f0e9a1b2c', channel: 'EMAIL', expiresAt: Date.UTC(2027, 0, 2) };
  const token = unsubscribeToken(secret, claim);
  it('accepts its own until it expires', () => {
    expect(checkUnsubscribeToken(secret, token, Date.UTC(2027, 0, 1))).toEqual({ ok: true, claim });
    expect(checkUnsubscribeToken(secret, token, Date.UTC(2027, 0, 2))).toEqual({ ok: false, code: 'UNSUBSCRIBE_TOKEN_EXPIRED' });
  });
  it('refuses a forged or mangled one', () => {
    const other = unsubscribeToken('another-secret-entirely-000000', claim);
    const [body] = token.split('.');
    const forgedBody = Buffer.from(JSON.stringify(['someone-else', 'ALL', Date.UTC(2030, 0, 1)])).toString('base64url');
    for (const bad of [other, `${forgedBody}.${token.split('.')[1]}`, `${body}`, `${token}.x`, 'garbage'])
      expect(checkUnsubscribeToken(secret, bad, Date.UTC(2027, 0, 1))).toEqual({ ok: false, code: 'UNSUBSCRIBE_TOKEN_INVALID' });
  });
});
