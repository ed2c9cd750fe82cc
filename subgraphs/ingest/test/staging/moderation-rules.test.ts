import {
  checkMerge,
  checkModeration,
  checkSplit,
  cleanNote,
  publicationAfter,
  type PublicationFacts,
} from '../../src/domain/moderation';

const approvedAndPublic: PublicationFacts = {
  wasApproved: true,
  isApproved: true,
  everPublished: true,
  wasCancelled: false,
  isCancelled: false,
  fieldsChanged: false,
};

describe('moderation rules', () => {
  it('let a moderator move between any two states, never to the same one', () => {
    expect(checkModeration('PENDING', 'APPROVED', null)).toEqual({ ok: true });
    expect(checkModeration('APPROVED', 'PENDING', null)).toEqual({ ok: true });
    expect(checkModeration('REJECTED', 'APPROVED', null)).toEqual({ ok: true });
    expect(checkModeration('APPROVED', 'APPROVED', null)).toMatchObject({ ok: false, code: 'NO_CHANGE' });
  });

  it('ask for a note to reject or flag', () => {
    expect(checkModeration('PENDING', 'REJECTED', null)).toMatchObject({ ok: false, code: 'NOTE_REQUIRED' });
    expect(checkModeration('PENDING', 'FLAGGED', '   ')).toMatchObject({ ok: false, code: 'NOTE_REQUIRED' });
    expect(checkModeration('PENDING', 'REJECTED', 'spam: link only')).toEqual({ ok: true });
    expect(cleanNote('  spam  ')).toBe('spam');
    expect(cleanNote('   ')).toBeNull();
  });

  it('split only a record that shares its canonical event', () => {
    expect(checkSplit({ canonicalEventId: null }, 0)).toMatchObject({ ok: false, code: 'NOT_IN_CANONICAL_EVENT' });
    expect(checkSplit({ canonicalEventId: 'c1' }, 1)).toMatchObject({ ok: false, code: 'LAST_RECORD' });
    expect(checkSplit({ canonicalEventId: 'c1' }, 2)).toEqual({ ok: true });
    expect(checkMerge('a', 'a')).toMatchObject({ ok: false, code: 'SAME_CANONICAL_EVENT' });
    expect(checkMerge('a', 'b')).toEqual({ ok: true });
  });
});

describe('publication to events', () => {
  it('publishes on approval, and again only when the public fields change', () => {
    const pending = { ...approvedAndPublic, wasApproved: false, everPublished: false };
    expect(publicationAfter(pending)).toBe('UPSERTED');
    expect(publicationAfter(approvedAndPublic)).toBeNull();
    expect(publicationAfter({ ...approvedAndPublic, fieldsChanged: true })).toBe('UPSERTED');
  });

  it('keeps unapproved events private, whatever changes', () => {
    const pending = { ...approvedAndPublic, wasApproved: false, isApproved: false, everPublished: false, fieldsChanged: true };
    expect(publicationAfter(pending)).toBeNull();
    expect(publicationAfter({ ...pending, isCancelled: true })).toBeNull();
  });

  it('announces a cancellation of a public event once, and never publishes an event only to cancel it', () => {
    expect(publicationAfter({ ...approvedAndPublic, isCancelled: true })).toBe('CANCELLED');
    expect(publicationAfter({ ...approvedAndPublic, wasCancelled: true, isCancelled: true, fieldsChanged: true })).toBeNull();
    expect(publicationAfter({ ...approvedAndPublic, everPublished: false, wasApproved: false, isCancelled: true })).toBeNull();
    // back in a feed: public again
    expect(publicationAfter({ ...approvedAndPublic, wasCancelled: true })).toBe('UPSERTED');
  });

  it('withdraws a public event that leaves approval, and republishes it when approved again', () => {
    expect(publicationAfter({ ...approvedAndPublic, isApproved: false })).toBe('WITHDRAWN');
    expect(publicationAfter({ ...approvedAndPublic, wasApproved: false, isApproved: false })).toBeNull();
    expect(publicationAfter({ ...approvedAndPublic, wasApproved: false })).toBe('UPSERTED');
  });
});
