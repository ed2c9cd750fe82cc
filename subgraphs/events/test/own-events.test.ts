import {
  friendsOf,
  normaliseTitle,
  orgOnlyProblems,
  placeProblems,
  replacement,
  userOnlyProblems,
  type MatchableEvent,
} from '../src/domain/own-events';
import { canSeeEvent } from '../src/visibility';
import { ANONYMOUS, type Principal } from '@eventgraph/runtime';

const ANA = '00000000-0000-4000-8000-0000000000a1';
const BEN = '00000000-0000-4000-8000-0000000000b1';
const ORG = '00000000-0000-4000-8000-0000000000c1';
const VENUE = '00000000-0000-4000-8000-0000000000d1';

const event = (over: Partial<MatchableEvent>): MatchableEvent => ({
  id: 'public',
  organizationId: ORG,
  ownerUserId: null,
  basedOnEventId: null,
  title: 'Summer Sound',
  startsAt: new Date('2027-07-01T14:00:00Z'),
  endsAt: new Date('2027-07-01T23:00:00Z'),
  status: 'PUBLISHED',
  venueId: VENUE,
  latitude: 52.5,
  longitude: 13.4,
  ...over,
});
const own = (over: Partial<MatchableEvent> = {}) =>
  event({ id: 'own', organizationId: null, ownerUserId: ANA, status: 'DRAFT', ...over });

describe('a user event standing in for another event', () => {
  it('normalises titles: case, accents, punctuation and spaces do not count', () => {
    expect(normaliseTitle('  Summer  SOUND! ')).toBe('summer sound');
    expect(normaliseTitle('Café–Night')).toBe(normaliseTitle('cafe night'));
  });

  it('matches explicitly through basedOnEventId, whatever the title or place', () => {
    expect(replacement(own({ title: 'Our night out', venueId: null, basedOnEventId: 'public' }), event({}))).toBe('explicit');
  });

  it('matches automatically: same title, overlapping times, same venue or coordinates within 500 m', () => {
    expect(replacement(own({ title: 'summer sound!' }), event({}))).toBe('automatic');
    const nearby = own({ venueId: null, latitude: 52.502, longitude: 13.4 }); // ~220 m away
    expect(replacement(nearby, event({}))).toBe('automatic');
    expect(replacement(own({ venueId: null, latitude: 52.52, longitude: 13.4 }), event({}))).toBeNull(); // ~2.2 km
    expect(replacement(own({ venueId: 'other-venue' }), event({}))).toBeNull();
    expect(replacement(own({ title: 'Winter Sound' }), event({}))).toBeNull();
    expect(
      replacement(own({ startsAt: new Date('2027-07-01T23:00:00Z'), endsAt: new Date('2027-07-02T01:00:00Z') }), event({})),
    ).toBeNull(); // touching is not overlapping
  });

  it('never matches archived events, other users’ events or one’s own', () => {
    expect(replacement(own({ status: 'ARCHIVED' }), event({}))).toBeNull();
    expect(replacement(own(), event({ status: 'ARCHIVED' }))).toBeNull();
    expect(replacement(own(), event({ organizationId: null, ownerUserId: BEN }))).toBeNull();
    expect(replacement(own(), own({ id: 'another-own' }))).toBeNull();
    expect(replacement(event({ id: 'org-event' }), event({}))).toBeNull(); // only user events stand in
  });
});

describe('what a user event may say', () => {
  it('needs a time zone without a venue, and takes its venue’s otherwise', () => {
    expect(placeProblems({ venueId: null })).toEqual([{ field: 'timeZone', message: expect.any(String) }]);
    expect(placeProblems({ timeZone: 'Nowhere/Else' })[0]!.field).toBe('timeZone');
    expect(placeProblems({ timeZone: 'Europe/Berlin', locationName: 'Garden', latitude: 52, longitude: 13 })).toEqual([]);
    expect(placeProblems({ venueId: VENUE })).toEqual([]);
    expect(placeProblems({ venueId: VENUE, timeZone: 'UTC' })[0]!.field).toBe('timeZone');
    expect(placeProblems({ timeZone: 'UTC', latitude: 52 })[0]!.field).toBe('longitude');
    expect(placeProblems({ timeZone: 'UTC', locationName: ' ' })[0]!.field).toBe('locationName');
  });

  it('has no ticketing or prices; organisations’ events have no place of their own', () => {
    expect(orgOnlyProblems({ ticketUrl: 'https://x.example', costType: 'PAID' }).map((p) => p.field)).toEqual([
      'ticketUrl',
      'costType',
    ]);
    expect(orgOnlyProblems({ costType: 'DONATION', priceMin: null })).toEqual([]);
    expect(userOnlyProblems({ timeZone: 'UTC', basedOnEventId: 'x', title: 'ok' }).map((p) => p.field)).toEqual([
      'timeZone',
      'basedOnEventId',
    ]);
  });
});

describe('friends and visibility of user events', () => {
  it('friends are mutual follows', () => {
    const follows = [
      { followerId: ANA, followeeId: BEN },
      { followerId: BEN, followeeId: ANA },
      { followerId: 'cara', followeeId: ANA },
      { followerId: ANA, followeeId: 'dan' },
    ];
    expect([...friendsOf(ANA, follows)]).toEqual([BEN]);
  });

  const user = (id: string): Principal => ({ kind: 'user', id, memberships: [], scopes: [] });
  const mine = (visibility: string, status = 'PUBLISHED') => ({ status, organizationId: null, ownerUserId: ANA, visibility });

  it.each([
    ['PUBLIC', { owner: true, friend: true, stranger: true, anonymous: true }],
    ['UNLISTED', { owner: true, friend: false, stranger: false, anonymous: false }],
    ['FRIENDS', { owner: true, friend: true, stranger: false, anonymous: false }],
    ['PRIVATE', { owner: true, friend: false, stranger: false, anonymous: false }],
  ])('%s in lists', (visibility, expected) => {
    const friends = new Set([ANA]);
    expect({
      owner: canSeeEvent(user(ANA), mine(visibility)),
      friend: canSeeEvent(user(BEN), mine(visibility), { friends }),
      stranger: canSeeEvent(user('dan'), mine(visibility)),
      anonymous: canSeeEvent(ANONYMOUS, mine(visibility)),
    }).toEqual(expected);
  });

  it('drafts are the owner’s; partner keys never show user events', () => {
    expect(canSeeEvent(user(BEN), mine('FRIENDS', 'DRAFT'), { friends: new Set([ANA]) })).toBe(false);
    expect(canSeeEvent(user(ANA), mine('PRIVATE', 'DRAFT'))).toBe(true);
    const partner: Principal = {
      kind: 'apiKey',
      id: 'key',
      memberships: [],
      scopes: ['events:read'],
      whiteLabel: { organizationIds: [ORG], categories: [], visibilities: ['PUBLIC', 'UNLISTED', 'PRIVATE', 'FRIENDS'] },
    };
    expect(canSeeEvent(partner, mine('PUBLIC'), { direct: true })).toBe(false);
  });
});
