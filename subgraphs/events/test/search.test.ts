import { decodeCursor, DomainError, encodeCursor } from '@eventgraph/runtime';
import {
  boundingBox,
  checkSearch,
  cursorKeyKind,
  dayRange,
  haversineKm,
  type SearchFilterInput,
  type SearchSort,
} from '../src/domain/search';

const id = '3f2b8c1e-6a4d-4e8f-9b1a-2c3d4e5f6a7b';
const parseId = (field: string, value: string) => {
  if (!/^[0-9a-f-]{36}$/.test(value)) throw new DomainError('BAD_USER_INPUT', `${field}: bad`, { field });
  return value;
};
const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as DomainError).extensions;
  }
  return null;
};

describe('search cursors', () => {
  it.each([
    ['START', new Date('2027-06-01T18:00:00.000Z')],
    ['DISTANCE', 12.345678901234],
    ['RELEVANCE', 0.10000000149011612],
    ['POPULARITY', 42],
  ] as [SearchSort, Date | number][])('round-trip for %s', (sort, key) => {
    const cursor = encodeCursor(key, id, sort);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, cursorKeyKind(sort), sort)).toEqual({ key, id });
  });

  it.each([
    ['', 'START'],
    ['not a cursor!', 'START'],
    ['eyJ4IjoxfQ', 'START'],
    [encodeCursor('yesterday', id, 'START'), 'START'],
    [encodeCursor('far', id, 'DISTANCE'), 'DISTANCE'],
  ] as [string, SearchSort][])('refuses %j naming after', (after, sort) => {
    expect(fieldOf(() => decodeCursor(after, cursorKeyKind(sort), sort))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
  });

  it("refuses another sort's cursor", () => {
    const byStart = encodeCursor(new Date('2027-01-01T00:00:00.000Z'), id, 'START');
    expect(fieldOf(() => decodeCursor(byStart, cursorKeyKind('POPULARITY'), 'POPULARITY'))).toMatchObject({ field: 'after' });
  });
});

describe('search validation', () => {
  const check = (filter: SearchFilterInput, sort: SearchSort = 'START') => checkSearch(filter, sort, parseId);

  it('defaults statuses to the public ones and normalises categories', () => {
    const filter = check({ categories: [' Jazz', 'jazz', ''], text: '  ' });
    expect(filter.statuses).toEqual(['PUBLISHED', 'ON_SALE', 'PAUSED', 'CLOSED', 'CANCELLED']);
    expect(filter.categories).toEqual(['jazz']);
    expect(filter.text).toBeNull();
  });

  it.each([
    [{ from: new Date('2027-01-02'), to: new Date('2027-01-01') }, 'START', 'to'],
    [{ fromDate: '2027-01-02', toDate: '2027-01-01' }, 'START', 'toDate'],
    [{ fromDate: '2027-13-01' }, 'START', 'fromDate'],
    [{ toDate: 'tomorrow' }, 'START', 'toDate'],
    [{ fromDate: '2027-01-01', timeZone: 'Nowhere/City' }, 'START', 'timeZone'],
    [{ near: { latitude: -90.5, longitude: 0, radiusKm: 1 } }, 'START', 'near.latitude'],
    [{ near: { latitude: 0, longitude: 180.1, radiusKm: 1 } }, 'START', 'near.longitude'],
    [{ near: { latitude: 0, longitude: 0, radiusKm: -1 } }, 'START', 'near.radiusKm'],
    [{ near: { latitude: 0, longitude: 0, radiusKm: 20000.5 } }, 'START', 'near.radiusKm'],
    [{}, 'DISTANCE', 'sort'],
    [{}, 'RELEVANCE', 'sort'],
    [{ venueId: 'x' }, 'START', 'venueId'],
    [{ text: 'x'.repeat(201) }, 'START', 'text'],
  ] as [SearchFilterInput, SearchSort, string][])('%j with %s is refused naming %s', (filter, sort, field) => {
    expect(fieldOf(() => check(filter, sort))).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});

describe('local day ranges', () => {
  it('begin at local midnight, across DST changes', () => {
    expect(dayRange('2027-06-01', '2027-06-01', 'Europe/Berlin')).toEqual({
      from: new Date('2027-05-31T22:00:00Z'),
      to: new Date('2027-06-01T22:00:00Z'),
    });
    // 2027-03-28: Berlin springs forward, the day is 23 hours long
    expect(dayRange('2027-03-28', '2027-03-28', 'Europe/Berlin')).toEqual({
      from: new Date('2027-03-27T23:00:00Z'),
      to: new Date('2027-03-28T22:00:00Z'),
    });
    expect(dayRange('2027-01-01', null, 'UTC').from).toEqual(new Date('2027-01-01T00:00:00Z'));
    expect(dayRange(null, '2027-12-31', 'Asia/Kolkata').to).toEqual(new Date('2027-12-31T18:30:00Z'));
  });

  it('intersect with from/to when both are given', () => {
    const filter = checkSearch(
      { from: new Date('2027-06-01T12:00:00Z'), fromDate: '2027-06-01', toDate: '2027-06-02' },
      'START',
      parseId,
    );
    expect(filter.from).toEqual(new Date('2027-06-01T12:00:00Z'));
    expect(filter.to).toEqual(new Date('2027-06-03T00:00:00Z'));
  });
});

describe('geo', () => {
  it('computes great-circle distances', () => {
    expect(haversineKm({ latitude: 52.52, longitude: 13.405 }, { latitude: 48.8566, longitude: 2.3522 })).toBeCloseTo(878, -1);
    expect(haversineKm({ latitude: 0, longitude: 179.9 }, { latitude: 0, longitude: -179.9 })).toBeCloseTo(22.2, 0);
  });

  it('boxes contain the whole circle, and give up on longitude across the antimeridian or a pole', () => {
    const near = { latitude: 52.52, longitude: 13.405, radiusKm: 100 };
    const box = boundingBox(near);
    for (let bearing = 0; bearing < 360; bearing += 5) {
      // a point ~99.9 km away in every direction lies inside the box
      const d = 99.9 / 6371.0088;
      const lat1 = (near.latitude * Math.PI) / 180;
      const b = (bearing * Math.PI) / 180;
      const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
      const lng2 =
        (near.longitude * Math.PI) / 180 +
        Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
      const point = { latitude: (lat2 * 180) / Math.PI, longitude: (lng2 * 180) / Math.PI };
      expect(point.latitude).toBeGreaterThanOrEqual(box.minLat);
      expect(point.latitude).toBeLessThanOrEqual(box.maxLat);
      expect(point.longitude).toBeGreaterThanOrEqual(box.minLng!);
      expect(point.longitude).toBeLessThanOrEqual(box.maxLng!);
    }
    expect(boundingBox({ latitude: 0, longitude: 179.9, radiusKm: 50 }).minLng).toBeNull();
    expect(boundingBox({ latitude: 89.9, longitude: 0, radiusKm: 50 })).toMatchObject({ maxLat: 90, minLng: null });
  });
});
