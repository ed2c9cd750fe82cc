import { issueAccessToken, verifyAccessToken, type Principal } from '@eventgraph/runtime';
import { rightsNarrowed, verdictOn } from '../../src/auth/live-revocation';
import type { Authenticated } from '../../src/auth/authenticator';

const ORG_A = 'a0000000-0000-4000-8000-000000000000';
const ORG_B = 'b0000000-0000-4000-8000-000000000000';
const user = (memberships: Principal['memberships']): Authenticated => ({
  principal: { kind: 'user', id: 'u1', memberships, scopes: [] },
});
const device = (gateIds: string[], scopes = ['scan']): Authenticated => ({
  principal: { kind: 'device', id: 'd1', memberships: [{ organizationId: ORG_A, role: 'VIEWER' }], scopes, gateIds },
});

describe('rights narrowed', () => {
  it('when a membership is gone or its role is lower', () => {
    const before = user([
      { organizationId: ORG_A, role: 'MEMBER' },
      { organizationId: ORG_B, role: 'ADMIN' },
    ]);
    expect(rightsNarrowed(before, user([{ organizationId: ORG_B, role: 'ADMIN' }]))).toBe(true);
    expect(
      rightsNarrowed(
        before,
        user([
          { organizationId: ORG_A, role: 'VIEWER' },
          { organizationId: ORG_B, role: 'ADMIN' },
        ]),
      ),
    ).toBe(true);
  });

  it('not when a membership is added, a role is higher, or only the order differs', () => {
    const before = user([{ organizationId: ORG_A, role: 'MEMBER' }]);
    const more = user([
      { organizationId: ORG_B, role: 'VIEWER' },
      { organizationId: ORG_A, role: 'OWNER' },
    ]);
    expect(rightsNarrowed(before, more)).toBe(false);
    expect(verdictOn(before, more)).toBe('widened');
    const reordered = user([
      { organizationId: ORG_A, role: 'OWNER' },
      { organizationId: ORG_B, role: 'VIEWER' },
    ]);
    expect(verdictOn(more, reordered)).toBe('unchanged');
  });

  it('when a device loses a gate or a scope, or a key its white-label or trusted-documents freedom', () => {
    expect(rightsNarrowed(device(['g1', 'g2']), device(['g2']))).toBe(true);
    expect(rightsNarrowed(device(['g1']), device(['g1'], []))).toBe(true);
    expect(verdictOn(device(['g1']), device(['g2', 'g1']))).toBe('widened');
    const key = (whiteLabel: Principal['whiteLabel'], trustedDocumentsOf?: string): Authenticated => ({
      principal: { kind: 'apiKey', id: 'k1', memberships: [], scopes: ['events:read'], whiteLabel },
      trustedDocumentsOf,
    });
    const wl = { organizationIds: [ORG_A], categories: [], visibilities: ['PUBLIC'] };
    expect(rightsNarrowed(key(wl), key({ ...wl, categories: ['music'] }))).toBe(true);
    expect(rightsNarrowed(key(wl), key(wl, 'app-1'))).toBe(true);
    expect(verdictOn(key(wl), key({ ...wl }))).toBe('unchanged');
  });

  it('never for the same caller; a new expiry alone is a change to note, not a loss', () => {
    const before = device(['g1']);
    const rotated = { ...before, expiresAt: new Date(Date.now() + 60_000) };
    expect(verdictOn(before, rotated)).toBe('widened');
    expect(verdictOn(rotated, { ...rotated, expiresAt: new Date(rotated.expiresAt.getTime()) })).toBe('unchanged');
  });

  it('another caller entirely is a loss', () => {
    const other: Authenticated = { principal: { ...user([]).principal, id: 'u2' } };
    expect(rightsNarrowed(user([]), other)).toBe(true);
  });
});

describe('access tokens name their session', () => {
  it('as claim sid, read back as sessionId; tokens without one still verify', async () => {
    const secret = 'a-test-secret-that-is-long-enough-0123456789';
    const withSession = await issueAccessToken('u1', secret, 60, new Date(), 'family-1');
    expect(await verifyAccessToken(withSession.token, secret)).toMatchObject({ userId: 'u1', sessionId: 'family-1' });
    const without = await issueAccessToken('u1', secret, 60);
    expect((await verifyAccessToken(without.token, secret)).sessionId).toBeUndefined();
  });
});
