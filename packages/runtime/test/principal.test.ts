import { PrincipalError, signPrincipal, verifyPrincipal, type Principal } from '../src/principal';

const SECRET = 'a-secret-of-sufficient-length';
const alice: Principal = {
  kind: 'user',
  id: 'alice',
  memberships: [{ organizationId: 'org-1', role: 'ADMIN' }],
  scopes: ['read'],
};

const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as PrincipalError).reason;
  }
  return 'accepted';
};

describe('the signed principal', () => {
  it('round-trips who is calling', () => {
    expect(verifyPrincipal(signPrincipal(alice, SECRET), SECRET)).toEqual(alice);
  });

  it('refuses missing, malformed, tampered, foreign and expired tokens, each with its reason', () => {
    const token = signPrincipal(alice, SECRET);
    const [body, sig] = token.split('.') as [string, string];
    const promoted = Buffer.from(JSON.stringify({ ...alice, kind: 'service', exp: 9_999_999_999 })).toString('base64url');
    expect(reasonOf(() => verifyPrincipal(undefined, SECRET))).toBe('missing');
    expect(reasonOf(() => verifyPrincipal('just-one-part', SECRET))).toBe('malformed');
    expect(reasonOf(() => verifyPrincipal(`${body}.${sig}.extra`, SECRET))).toBe('malformed');
    expect(reasonOf(() => verifyPrincipal(`${promoted}.${sig}`, SECRET))).toBe('bad-signature');
    expect(reasonOf(() => verifyPrincipal(token, 'another-secret-of-length'))).toBe('bad-signature');
    expect(reasonOf(() => verifyPrincipal(signPrincipal(alice, SECRET, 60, Date.now() - 61_000), SECRET))).toBe('expired');
  });
});
