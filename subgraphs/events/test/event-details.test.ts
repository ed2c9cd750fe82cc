import { deletionProblem } from '../src/domain/deletion';
import {
  changedFields,
  coordinateProblems,
  labels,
  priceProblems,
  roundCoordinate,
  sanitizeDescription,
  urlProblems,
} from '../src/domain/event-details';

describe('event details', () => {
  it('price: free has none; paid needs one, in order, with a currency', () => {
    expect(priceProblems({ costType: 'FREE' })).toEqual([]);
    expect(priceProblems({ costType: 'PAID', priceMin: 1000, priceMax: 2500, currency: 'EUR' })).toEqual([]);
    expect(priceProblems({ costType: 'DONATION' })).toEqual([]);
    expect(priceProblems({ costType: 'FREE', priceMin: 0, currency: 'EUR' }).map((p) => p.field)).toEqual(['priceMin']);
    expect(priceProblems({ costType: 'PAID', priceMin: 10.5, currency: 'EUR' }).map((p) => p.field)).toEqual(['priceMin']);
    expect(priceProblems({ costType: 'VARIABLE', priceMin: 500, priceMax: 100, currency: 'eur' }).map((p) => p.field)).toEqual([
      'priceMax',
      'currency',
    ]);
  });

  it('coordinates: together and in range', () => {
    expect(coordinateProblems(52.5, 13.4)).toEqual([]);
    expect(coordinateProblems(null, null)).toEqual([]);
    expect(coordinateProblems(-90.0001, 180).map((p) => p.field)).toEqual(['latitude']);
    expect(coordinateProblems(0, null).map((p) => p.field)).toEqual(['longitude']);
    expect(coordinateProblems(Number.NaN, 0).map((p) => p.field)).toEqual(['latitude']);
  });

  it('labels collapse case and duplicates, and are bounded', () => {
    expect(labels('tags', [' Jazz', 'jazz', 'Blues '], 5)).toEqual({ values: ['jazz', 'blues'], problems: [] });
    expect(labels('tags', ['a', 'b', 'c'], 2).problems).toEqual([{ field: 'tags', message: 'at most 2' }]);
  });

  it('urls: http(s) only, naming the offending entry', () => {
    expect(urlProblems('imageUrls', ['https://a.example/1.png', 'javascript:alert(1)'])).toEqual([
      { field: 'imageUrls[1]', message: 'must be an http(s) URL' },
    ]);
    expect(urlProblems('ticketUrl', [null])).toEqual([]);
  });

  it('descriptions keep formatting and lose anything that runs', () => {
    expect(
      sanitizeDescription('<h3>Line-up</h3><ul><li><em>Trio</em></li></ul><img src=x onerror=alert(1)><iframe></iframe>'),
    ).toBe('<h3>Line-up</h3><ul><li><em>Trio</em></li></ul>');
  });

  it('changed fields compare dates by instant', () => {
    const before = { title: 'A', startsAt: new Date('2027-01-01T10:00:00Z'), tags: ['x'] };
    expect(changedFields(before, { title: 'A', startsAt: new Date('2027-01-01T10:00:00.000Z'), tags: ['x', 'y'] })).toEqual([
      'tags',
    ]);
  });

  it('an event with dependents is archived, not deleted', () => {
    expect(deletionProblem([])).toBeNull();
    expect(deletionProblem([{ kind: 'series' }, { kind: 'series' }])).toBe('the event has series; archive it instead');
  });
});

describe('currency without a price', () => {
  it('is still an ISO 4217 code', () => {
    expect(priceProblems({ costType: 'FREE', currency: 'x'.repeat(20) })).toEqual([
      { field: 'currency', message: 'must be an ISO 4217 code such as EUR' },
    ]);
    expect(priceProblems({ costType: 'FREE', currency: 'EUR' })).toEqual([]);
  });
});

describe('coordinates', () => {
  it('are kept to 1e-7 degree, so nothing below float8’s normal range reaches PostgreSQL', () => {
    expect(roundCoordinate(5e-324)).toBe(0);
    expect(Object.is(roundCoordinate(-1e-12), -0)).toBe(false);
    expect(roundCoordinate(52.520008123456)).toBe(52.5200081);
    expect(roundCoordinate(-179.99999999)).toBe(-180);
    expect(roundCoordinate(null)).toBeNull();
  });
});
