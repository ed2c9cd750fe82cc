import { isOpenToEveryone } from '../src/domain/event-access';

describe('who may read an event, from what ingest knows of it', () => {
  it('opens published PUBLIC and UNLISTED events to everyone', () => {
    for (const status of ['PUBLISHED', 'ON_SALE', 'PAUSED', 'CLOSED'])
      for (const visibility of ['PUBLIC', 'UNLISTED']) expect(isOpenToEveryone({ status, visibility })).toBe(true);
  });

  it('keeps drafts, archived events and private or friends-only ones to their organisation or owner', () => {
    expect(isOpenToEveryone({ status: 'DRAFT', visibility: 'PUBLIC' })).toBe(false);
    expect(isOpenToEveryone({ status: 'ARCHIVED', visibility: 'PUBLIC' })).toBe(false);
    expect(isOpenToEveryone({ status: 'PUBLISHED', visibility: 'PRIVATE' })).toBe(false);
    expect(isOpenToEveryone({ status: 'PUBLISHED', visibility: 'FRIENDS' })).toBe(false);
  });
});
