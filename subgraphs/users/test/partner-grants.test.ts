import { ANONYMOUS, type Principal } from '@eventgraph/runtime';
import { grantableApp, granterOf, grantScopes } from '../src/domain/partner-grants';

const user: Principal = { kind: 'user', id: 'u1', memberships: [], scopes: [] };
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    return (err as { extensions: Record<string, unknown> }).extensions;
  }
  throw new Error('no error');
};

describe('partner grants', () => {
  it('are given by signed-in users only, never by keys (also acting for a user), devices or services', () => {
    expect(granterOf(user)).toBe('u1');
    expect(codeOf(() => granterOf(ANONYMOUS))).toMatchObject({ code: 'UNAUTHENTICATED' });
    const key: Principal = {
      kind: 'apiKey',
      id: 'k1',
      memberships: [],
      scopes: [],
      partnerAppId: 'a1',
      actingFor: { userId: 'u1', scopes: ['TICKETS_BUY'] },
    };
    for (const other of [key, { ...user, kind: 'device' as const }, { ...user, kind: 'service' as const }])
      expect(codeOf(() => granterOf(other))).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_USER' });
  });

  it('name at least one known scope, each once', () => {
    expect(grantScopes(['TICKETS_BUY', 'TICKETS_BUY'])).toEqual(['TICKETS_BUY']);
    expect(codeOf(() => grantScopes([]))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scopes' });
    expect(codeOf(() => grantScopes(['TICKETS_SELL']))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scopes' });
  });

  it('name a partner app that exists', () => {
    expect(grantableApp({ id: 'a1' }, 'a1')).toEqual({ id: 'a1' });
    expect(codeOf(() => grantableApp(null, 'a2'))).toMatchObject({ code: 'NOT_FOUND', id: 'a2' });
  });
});
