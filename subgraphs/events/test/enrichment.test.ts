import { enrichableProblem, enrichmentProblems } from '../src/domain/enrichment';

const fields = (input: Parameters<typeof enrichmentProblems>[0]) => enrichmentProblems(input).map((p) => p.field);

describe('partner enrichments', () => {
  it('accept https ticketing with a price range in minor units', () => {
    expect(
      enrichmentProblems({
        ticketUrl: 'https://tickets.example/e/1',
        priceMin: 0,
        priceMax: 2500,
        currency: 'EUR',
        availability: 'LIMITED',
      }),
    ).toEqual([]);
    expect(enrichmentProblems({ availability: 'SOLD_OUT' })).toEqual([]);
  });

  it('refuse ticket links that are not https', () => {
    expect(fields({ ticketUrl: 'http://tickets.example/e/1' })).toEqual(['ticketUrl']);
    expect(fields({ ticketUrl: 'javascript:alert(1)' })).toEqual(['ticketUrl']);
    expect(fields({ ticketUrl: 'https://user:pw@tickets.example/' })).toEqual(['ticketUrl']);
    expect(fields({ ticketUrl: 'not a url' })).toEqual(['ticketUrl']);
  });

  it('refuse negative, fractional or inverted prices and prices without a currency', () => {
    expect(fields({ priceMin: -1, currency: 'EUR' })).toEqual(['priceMin']);
    expect(fields({ priceMin: 10.5, currency: 'EUR' })).toEqual(['priceMin']);
    expect(fields({ priceMin: 3000, priceMax: 2000, currency: 'EUR' })).toEqual(['priceMax']);
    expect(fields({ priceMin: 1000 })).toEqual(['currency']);
    expect(fields({ priceMin: 1000, currency: 'euro' })).toEqual(['currency']);
  });

  it('refuse an enrichment that says nothing', () => {
    expect(enrichmentProblems({ availability: 'UNKNOWN' })).toEqual([
      { field: 'ticketUrl', message: 'give a ticket URL, a price or an availability' },
    ]);
  });

  it('apply to Layer-1 events the public can see only', () => {
    expect(enrichableProblem({ origin: 'SOURCE', status: 'PUBLISHED' })).toBeNull();
    expect(enrichableProblem({ origin: 'SOURCE', status: 'CANCELLED' })).toBeNull();
    expect(enrichableProblem({ origin: 'SOURCE', status: 'ARCHIVED' })).toBe('EVENT_NOT_PUBLIC');
    expect(enrichableProblem({ origin: 'ORGANIZATION', status: 'PUBLISHED' })).toBe('NOT_SOURCE_EVENT');
  });
});
