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
import {
  distanceToRectKm,
  fewDayKeys,
  MAX_CELLS,
  MAX_PLACE_MONTH_KEYS,
  placeKeys,
  placeMonthKeys,
  placeMonthCondition,
  placeMonthQuery,
  meetsPlaceMonth,
  timeKeys,
} from '../src/domain/search-keys';

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

describe('search keys', () => {
  // the keys the discovery trigger gives an event (SQL function "event_search_keys", migration search_place_month_keys)
  const cellOf = (k: number, p: { latitude: number; longitude: number }) =>
    `${k}y${Math.floor((p.latitude + 90) * k)}x${Math.floor((p.longitude + 180) * k)}`;
  function eventKeys(startsAt: Date, endsAt: Date, place?: { latitude: number; longitude: number }): string[] {
    const first = Math.floor(startsAt.getTime() / 86_400_000);
    const last = Math.floor((endsAt > startsAt ? endsAt.getTime() - 1 : startsAt.getTime()) / 86_400_000);
    const dayKeys = Array.from({ length: last - first + 1 }, (_, n) => new Date((first + n) * 86_400_000).toISOString());
    const months = [...new Set(dayKeys.map((iso) => iso.slice(0, 7).replace('-', '')))];
    const cells = place ? [1, 3, 10, 30, 100].map((k) => cellOf(k, place)) : [];
    const short = last - first < 31;
    const placeMonth = short ? cells.flatMap((c) => months.map((m) => `C${c}m${m}`)) : cells.map((c) => `C${c}L`);
    if (months.length > 60) return [...cells.map((c) => `G${c}`), ...placeMonth, 'Tall'];
    const time = short ? dayKeys.map((iso) => `D${iso.slice(0, 10).replaceAll('-', '')}`) : months.map((m) => `L${m}`);
    return [...cells.map((c) => `G${c}`), ...placeMonth, ...months.map((m) => `M${m}`), ...time];
  }
  // a deterministic pseudo-random sequence, so a failure can be replayed
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pointAt = (near: { latitude: number; longitude: number }, km: number, bearing: number) => {
    const d = km / 6371.0088;
    const lat1 = (near.latitude * Math.PI) / 180;
    const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(bearing));
    const lng2 =
      (near.longitude * Math.PI) / 180 +
      Math.atan2(Math.sin(bearing) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
    return { latitude: (lat2 * 180) / Math.PI, longitude: (lng2 * 180) / Math.PI };
  };

  it('name a cell of every point within the radius, at one level, and at most MAX_CELLS of them', () => {
    for (let n = 0; n < 150; n++) {
      const near = { latitude: random() * 160 - 80, longitude: random() * 340 - 170, radiusKm: 0.2 + random() ** 3 * 800 };
      const keys = placeKeys(near);
      if (!keys) continue;
      expect(keys.length).toBeLessThanOrEqual(MAX_CELLS);
      const k = Number(/^G(\d+)y/.exec(keys[0]!)![1]);
      for (let p = 0; p < 50; p++) {
        const point = pointAt(near, near.radiusKm * (p === 0 ? 1 : Math.sqrt(random())), random() * 2 * Math.PI);
        if (haversineKm(near, point) > near.radiusKm) continue;
        expect([near, point, keys]).toEqual([near, point, expect.arrayContaining([`G${cellOf(k, point)}`])]);
      }
    }
  });

  it('use the finest level that fits, and none across the antimeridian or a pole', () => {
    expect(placeKeys({ latitude: 50.937, longitude: 6.96, radiusKm: 2 })![0]).toMatch(/^G100y/);
    expect(placeKeys({ latitude: 50.937, longitude: 6.96, radiusKm: 8 })![0]).toMatch(/^G30y/);
    expect(placeKeys({ latitude: 50.937, longitude: 6.96, radiusKm: 25 })![0]).toMatch(/^G10y/);
    expect(placeKeys({ latitude: 50.937, longitude: 6.96, radiusKm: 80 })![0]).toMatch(/^G3y/);
    expect(placeKeys({ latitude: 50.937, longitude: 6.96, radiusKm: 300 })![0]).toMatch(/^G1y/);
    expect(placeKeys({ latitude: 50.937, longitude: 6.96, radiusKm: 3000 })).toBeNull();
    expect(placeKeys({ latitude: 0, longitude: 179.95, radiusKm: 20 })).toBeNull();
    expect(placeKeys({ latitude: 89.95, longitude: 0, radiusKm: 20 })).toBeNull();
  });

  it('measure the distance to a cell no larger than to any point of it', () => {
    for (let n = 0; n < 200; n++) {
      const near = { latitude: random() * 160 - 80, longitude: random() * 340 - 170 };
      const size = [0.01, 0.1, 1][n % 3]!;
      const cell = {
        minLat: Math.max(-90, near.latitude + (random() - 0.5) * 60),
        minLng: near.longitude + (random() - 0.5) * 100,
      };
      const rect = { ...cell, maxLat: Math.min(90, cell.minLat + size), maxLng: cell.minLng + size };
      const computed = distanceToRectKm(near, rect);
      let nearest = Infinity;
      for (let i = 0; i <= 20; i++)
        for (let j = 0; j <= 20; j++) {
          const point = {
            latitude: rect.minLat + ((rect.maxLat - rect.minLat) * i) / 20,
            longitude: rect.minLng + (size * j) / 20,
          };
          nearest = Math.min(nearest, haversineKm(near, point));
        }
      expect(computed).toBeLessThanOrEqual(nearest + 1e-6);
      expect(computed).toBeGreaterThan(nearest - size * 111.2); // and close to it: within the cell's size
    }
  });

  it('name a time key of every event overlapping the range', () => {
    const base = Date.UTC(2027, 0, 1);
    for (let n = 0; n < 1500; n++) {
      const from = new Date(base + Math.floor(random() * 400) * 3_600_000 * 24 + [0, 1, 3_600_000 * 13][n % 3]!);
      const to = new Date(
        from.getTime() + [1, 86_400_000, 86_400_000 * 31, 86_400_000 * 32, 86_400_000 * 700][n % 5]! * random() + 1,
      );
      const startsAt = new Date(from.getTime() + (random() - 0.7) * 86_400_000 * [1, 40, 2000][n % 3]!);
      const endsAt = new Date(startsAt.getTime() + random() * 86_400_000 * [0, 2, 45, 2500][n % 4]!);
      if (!(endsAt > from && startsAt < to)) continue;
      const keys = timeKeys(from, to);
      if (!keys) continue;
      const event = eventKeys(startsAt, endsAt);
      expect([from, to, startsAt, endsAt, event.some((k) => keys.includes(k))]).toEqual([from, to, startsAt, endsAt, true]);
    }
  });

  it('name a place-and-month key of every event within the radius and overlapping the range', () => {
    let asked = 0;
    for (let n = 0; n < 150; n++) {
      const near = { latitude: random() * 140 - 70, longitude: random() * 340 - 170, radiusKm: 0.5 + random() ** 2 * 300 };
      const from = new Date(Date.UTC(2027, 0, 1) + random() * 400 * 86_400_000);
      const to = new Date(from.getTime() + random() * [2, 40, 120][n % 3]! * 86_400_000 + 1);
      const keys = placeMonthKeys(near, from, to);
      if (!keys) continue;
      asked++;
      expect(keys.length).toBeLessThanOrEqual(MAX_PLACE_MONTH_KEYS);
      for (let e = 0; e < 20; e++) {
        const place = pointAt(near, near.radiusKm * Math.sqrt(random()), random() * 2 * Math.PI);
        const startsAt = new Date(from.getTime() + (random() - 0.5) * 86_400_000 * [3, 60, 3000][e % 3]!);
        const endsAt = new Date(startsAt.getTime() + random() * 86_400_000 * [0, 2, 45, 2500][e % 4]!);
        if (haversineKm(near, place) > near.radiusKm || !(endsAt > from && startsAt < to)) continue;
        const event = eventKeys(startsAt, endsAt, place);
        expect([near, from, to, place, startsAt, endsAt, event.some((k) => keys.includes(k))]).toEqual([
          near,
          from,
          to,
          place,
          startsAt,
          endsAt,
          true,
        ]);
      }
    }
    expect(asked).toBeGreaterThan(75);
  });

  it('meet the place-and-month condition for every event within the radius and overlapping the range', () => {
    let edged = 0;
    for (let n = 0; n < 300; n++) {
      const near = { latitude: random() * 140 - 70, longitude: random() * 340 - 170, radiusKm: 0.5 + random() ** 2 * 300 };
      const from = new Date(Date.UTC(2027, 0, 1) + random() * 400 * 86_400_000);
      const to = new Date(from.getTime() + random() * [2, 10, 40, 120][n % 4]! * 86_400_000 + 1);
      const condition = placeMonthCondition(near, from, to);
      if (!condition) continue;
      if (condition.edges.length) edged++;
      for (let e = 0; e < 30; e++) {
        const place = pointAt(near, near.radiusKm * Math.sqrt(random()), random() * 2 * Math.PI);
        const startsAt = new Date(from.getTime() + (random() - 0.5) * 86_400_000 * [3, 20, 60, 3000][e % 4]!);
        const endsAt = new Date(startsAt.getTime() + random() * 86_400_000 * [0, 2, 45, 2500][e % 4]!);
        if (haversineKm(near, place) > near.radiusKm || !(endsAt > from && startsAt < to)) continue;
        const met = meetsPlaceMonth(condition, eventKeys(startsAt, endsAt, place));
        expect([near, from, to, place, startsAt, endsAt, met]).toEqual([near, from, to, place, startsAt, endsAt, true]);
      }
    }
    expect(edged).toBeGreaterThan(30); // ranges with an edge month of a few days were among them
  });

  it('ask for the edge month of a range only with the days it covers', () => {
    const hamburg = { latitude: 53.55, longitude: 9.99, radiusKm: 25 };
    const condition = placeMonthCondition(hamburg, new Date('2027-05-02T00:00:00Z'), new Date('2027-06-02T00:00:00Z'))!;
    expect(condition.edges).toHaveLength(1);
    expect(condition.edges[0]!.days).toEqual(['D20270601']);
    expect(condition.edges[0]!.keys.every((k) => k.endsWith('m202706'))).toBe(true);
    expect(condition.keys.some((k) => k.endsWith('m202705')) && condition.keys.some((k) => k.endsWith('L'))).toBe(true);
    expect(condition.keys.some((k) => k.endsWith('m202706'))).toBe(false);
    const cell = condition.edges[0]!.keys[0]!;
    expect(placeMonthQuery(condition)).toContain(`('${cell}'`);
    // a June event on the 10th is no candidate any more; one on the 1st still is
    const at = (iso: string) => eventKeys(new Date(iso), new Date(new Date(iso).getTime() + 3_600_000), hamburg);
    expect(meetsPlaceMonth(condition, at('2027-06-10T19:00:00Z'))).toBe(false);
    expect(meetsPlaceMonth(condition, at('2027-06-01T19:00:00Z'))).toBe(true);
    expect(meetsPlaceMonth(condition, at('2027-05-20T19:00:00Z'))).toBe(true);
    // a range inside one month, or covering many days of each, has no edges
    expect(placeMonthCondition(hamburg, new Date('2027-05-02T00:00:00Z'), new Date('2027-05-20T00:00:00Z'))!.edges).toEqual([]);
    expect(placeMonthCondition(hamburg, new Date('2027-05-15T00:00:00Z'), new Date('2027-06-15T00:00:00Z'))!.edges).toEqual([]);
  });

  it('ask for a place-and-month key at the finest level that fits, and for the days of a short range beside it', () => {
    const cologne = { latitude: 50.937, longitude: 6.96, radiusKm: 25 };
    const month = placeMonthKeys(cologne, new Date('2027-04-04T00:00:00Z'), new Date('2027-05-04T00:00:00Z'))!;
    expect(month.length).toBeLessThanOrEqual(MAX_PLACE_MONTH_KEYS);
    expect(month).toEqual(expect.arrayContaining(['C3y422x560m202704', 'C3y422x560m202705', 'C3y422x560L']));
    expect(
      placeMonthKeys({ ...cologne, radiusKm: 2 }, new Date('2027-04-04T00:00:00Z'), new Date('2027-04-05T00:00:00Z'))![0],
    ).toMatch(/^C30y/);
    expect(placeMonthKeys(cologne, new Date('2027-04-04T00:00:00Z'), null)).toBeNull();
    expect(
      placeMonthKeys({ ...cologne, radiusKm: 3000 }, new Date('2027-04-04T00:00:00Z'), new Date('2027-04-05T00:00:00Z')),
    ).toBeNull();
    expect(fewDayKeys(new Date('2027-04-04T00:00:00Z'), new Date('2027-04-06T00:00:00Z'))).toEqual([
      'D20270404',
      'D20270405',
      'L202704',
      'Tall',
    ]);
    expect(fewDayKeys(new Date('2027-04-04T00:00:00Z'), new Date('2027-04-12T00:00:00Z'))).toBeNull();
  });

  it('use days for ranges up to 31 days, months up to 60 months, and nothing for open ranges', () => {
    const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
    expect(timeKeys(day('2027-04-04'), day('2027-04-06'))).toEqual(['D20270404', 'D20270405', 'L202704', 'Tall']);
    expect(timeKeys(day('2027-04-04'), new Date('2027-04-06T00:00:00.001Z'))).toContain('D20270406');
    expect(timeKeys(day('2027-04-04'), day('2027-06-04'))).toEqual(['M202704', 'M202705', 'M202706', 'Tall']);
    expect(timeKeys(day('2027-01-01'), day('2032-01-02'))).toBeNull();
    expect(timeKeys(day('2027-01-01'), null)).toBeNull();
  });
});
