import type { Principal } from '@eventgraph/runtime';
import { buyerOf, mayBuyFrom } from '../src/sales/buyer';

const key: Principal = {
  kind: 'apiKey',
  id: 'key-1',
  memberships: [{ organizationId: 'org-1', role: 'VIEWER' }],
  scopes: ['events:read'],
  partnerAppId: 'app-1',
  whiteLabel: { organizationIds: ['org-1'], categories: [], visibilities: ['PUBLIC'] },
};

describe('the buyer of a partner key', () => {
  it('is its app, or the user it acts for with TICKETS_BUY', () => {
    expect(buyerOf(key)).toEqual({ kind: 'partnerApp', id: 'app-1' });
    expect(buyerOf({ ...key, actingFor: { userId: 'user-1', scopes: ['TICKETS_BUY'] } })).toEqual({ kind: 'user', id: 'user-1' });
    // a grant without the scope changes nothing
    expect(buyerOf({ ...key, actingFor: { userId: 'user-1', scopes: [] } })).toEqual({ kind: 'partnerApp', id: 'app-1' });
  });

  it('acting for a user still sells only where its app may', () => {
    const acting = { ...key, actingFor: { userId: 'user-1', scopes: ['TICKETS_BUY' as const] } };
    expect(mayBuyFrom(acting, 'org-1')).toBe(true);
    expect(mayBuyFrom(acting, 'org-2')).toBe(false);
  });
});
