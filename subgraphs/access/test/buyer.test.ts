import type { Principal } from '@eventgraph/runtime';
import { channelOf, channelWhere, ownSalesWhere } from '../src/domain/sales-channel';
import { buyerOf, isBuyer, mayBuyFrom } from '../src/sales/buyer';

const key: Principal = {
  kind: 'apiKey',
  id: 'key-1',
  memberships: [{ organizationId: 'org-1', role: 'VIEWER' }],
  scopes: ['events:read'],
  partnerAppId: 'app-1',
  whiteLabel: { organizationIds: ['org-1'], categories: [], visibilities: ['PUBLIC'] },
};

describe('the buyer of a partner key', () => {
  it('is its app, or the user it acts for with TICKETS_BUY, and records the app on what it buys', () => {
    const app = { kind: 'partnerApp', id: 'app-1', soldThroughAppId: 'app-1', onlyThroughAppId: null };
    expect(buyerOf(key)).toEqual(app);
    expect(buyerOf({ ...key, actingFor: { userId: 'user-1', scopes: ['TICKETS_BUY'] } })).toEqual({
      kind: 'user',
      id: 'user-1',
      soldThroughAppId: 'app-1',
      onlyThroughAppId: 'app-1',
    });
    // a grant without the scope changes nothing
    expect(buyerOf({ ...key, actingFor: { userId: 'user-1', scopes: [] } })).toEqual(app);
  });

  it('acting for a user still sells only where its app may', () => {
    const acting = { ...key, actingFor: { userId: 'user-1', scopes: ['TICKETS_BUY' as const] } };
    expect(mayBuyFrom(acting, 'org-1')).toBe(true);
    expect(mayBuyFrom(acting, 'org-2')).toBe(false);
  });
});

describe('whose sales a caller sees', () => {
  const user: Principal = { kind: 'user', id: 'user-1', memberships: [], scopes: [] };
  const acting = (partnerAppId: string): Principal => ({
    ...key,
    partnerAppId,
    actingFor: { userId: 'user-1', scopes: ['TICKETS_BUY'] },
  });
  const sale = (soldThroughAppId: string | null) => ({ buyerKind: 'user', buyerId: 'user-1', soldThroughAppId });

  it('the user signed in: all their own, whatever sold them', () => {
    expect(buyerOf(user)).toEqual({ kind: 'user', id: 'user-1', soldThroughAppId: null, onlyThroughAppId: null });
    for (const through of [null, 'app-1', 'app-2']) expect(isBuyer(user, sale(through))).toBe(true);
    expect(isBuyer(user, { ...sale(null), buyerId: 'user-2' })).toBe(false);
  });

  it('a partner acting for the user: only what its app sold them', () => {
    expect(isBuyer(acting('app-1'), sale('app-1'))).toBe(true);
    expect(isBuyer(acting('app-1'), sale(null))).toBe(false);
    expect(isBuyer(acting('app-1'), sale('app-2'))).toBe(false);
    expect(isBuyer(acting('app-2'), sale('app-1'))).toBe(false);
    // another user's sale through the same app is not theirs either
    expect(isBuyer(acting('app-1'), { ...sale('app-1'), buyerId: 'user-2' })).toBe(false);
  });

  it('a partner for its own customers: its own sales as buyer, not a user’s it sold', () => {
    expect(isBuyer(key, { buyerKind: 'partnerApp', buyerId: 'app-1', soldThroughAppId: 'app-1' })).toBe(true);
    expect(isBuyer(key, sale('app-1'))).toBe(false);
  });

  it('lists filter the same way as the rule (in SQL)', () => {
    expect(ownSalesWhere(buyerOf(user))).toEqual({ buyerKind: 'user', buyerId: 'user-1' });
    expect(ownSalesWhere(buyerOf(acting('app-1')))).toEqual({ buyerKind: 'user', buyerId: 'user-1', soldThroughAppId: 'app-1' });
    expect(ownSalesWhere(buyerOf(key))).toEqual({ buyerKind: 'partnerApp', buyerId: 'app-1' });
  });

  it('devices and anonymous callers own nothing', () => {
    const device: Principal = { kind: 'device', id: 'd-1', memberships: [], scopes: [] };
    expect(isBuyer(device, sale(null))).toBe(false);
    expect(isBuyer({ kind: 'anonymous', memberships: [], scopes: [] }, sale(null))).toBe(false);
  });
});

describe('sales channels as organisations read them', () => {
  it('names a sale DIRECT or PARTNER_APP', () => {
    expect(channelOf({ soldThroughAppId: null })).toBe('DIRECT');
    expect(channelOf({ soldThroughAppId: 'app-1' })).toBe('PARTNER_APP');
  });

  it('filters by channel and app', () => {
    expect(channelWhere(null, null)).toEqual({});
    expect(channelWhere('DIRECT', null)).toEqual({ soldThroughAppId: null });
    expect(channelWhere('PARTNER_APP', null)).toEqual({ soldThroughAppId: { not: null } });
    expect(channelWhere(undefined, 'app-1')).toEqual({ soldThroughAppId: 'app-1' });
    expect(channelWhere('PARTNER_APP', 'app-1')).toEqual({ soldThroughAppId: 'app-1' });
    // a direct sale through an app: nothing is both
    expect(channelWhere('DIRECT', 'app-1')).toEqual({ soldThroughAppId: { in: [] } });
  });
});
