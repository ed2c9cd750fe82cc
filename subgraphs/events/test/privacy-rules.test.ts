import { ANONYMISED_OWN_EVENT, ownEventErasure } from '../src/domain/privacy';

describe("a deleted user's own events", () => {
  it('are deleted unless others depend on them, then anonymised', () => {
    expect(ownEventErasure([])).toBe('DELETE');
    expect(ownEventErasure([{ kind: 'series' }])).toBe('ANONYMISE');
  });

  it('keep nothing their owner wrote about the place or the plan when anonymised', () => {
    expect(ANONYMISED_OWN_EVENT).toEqual({
      description: '',
      locationName: null,
      externalUrl: null,
      imageUrls: [],
      contactName: null,
      contactEmail: null,
      contactPhone: null,
    });
  });
});
