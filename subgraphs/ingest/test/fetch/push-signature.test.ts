import { replayKey, signPush, verifyPushSignature } from '../../src/domain/push-signature';

const SECRET = 'whsec_current';
const OLD_SECRET = 'whsec_previous';
const BODY = Buffer.from('{"events":[{"id":"e-1","title":"Jazz night"}]}');
const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const t = NOW / 1000;

describe('push signatures', () => {
  it('accepts a body signed with the source secret, and names the signature that matched', () => {
    const header = signPush(SECRET, BODY, t);
    const check = verifyPushSignature(header, BODY, [SECRET], NOW);
    expect(check).toEqual({ ok: true, timestamp: t, signature: header.split('v1=')[1] });
  });

  it('refuses a changed body, another secret, a missing or malformed header', () => {
    const header = signPush(SECRET, BODY, t);
    const codeOf = (h: string | undefined, body: Buffer = BODY, secrets = [SECRET]) => {
      const check = verifyPushSignature(h, body, secrets, NOW);
      return check.ok ? 'ok' : check.code;
    };
    expect(codeOf(header, Buffer.from(`${BODY.toString()} `))).toBe('BAD_SIGNATURE');
    expect(codeOf(header, BODY, ['whsec_other'])).toBe('BAD_SIGNATURE');
    expect(codeOf(undefined)).toBe('BAD_SIGNATURE');
    expect(codeOf(`t=${t}`)).toBe('BAD_SIGNATURE');
    expect(codeOf(header.replace(/v1=[0-9a-f]{4}/, 'v1=zzzz'))).toBe('BAD_SIGNATURE');
    expect(codeOf(`${header},t=${t}`)).toBe('BAD_SIGNATURE'); // two timestamps: ambiguous
    // the timestamp is signed too: moving it breaks the signature
    expect(codeOf(header.replace(`t=${t}`, `t=${t + 1}`))).toBe('BAD_SIGNATURE');
  });

  it('refuses timestamps more than 300 s from the clock, either way', () => {
    for (const skew of [-301, 301]) {
      const check = verifyPushSignature(signPush(SECRET, BODY, t + skew), BODY, [SECRET], NOW);
      expect(check).toMatchObject({ ok: false, code: 'STALE_TIMESTAMP' });
    }
    expect(verifyPushSignature(signPush(SECRET, BODY, t - 299), BODY, [SECRET], NOW).ok).toBe(true);
  });

  it('during a rotation, accepts either secret and a header carrying both signatures', () => {
    const byOld = signPush(OLD_SECRET, BODY, t);
    const byNew = signPush(SECRET, BODY, t);
    expect(verifyPushSignature(byOld, BODY, [SECRET, OLD_SECRET], NOW).ok).toBe(true);
    const both = `${byOld},v1=${byNew.split('v1=')[1]}`;
    const check = verifyPushSignature(both, BODY, [SECRET], NOW);
    expect(check).toEqual({ ok: true, timestamp: t, signature: byNew.split('v1=')[1] });
    expect(verifyPushSignature(byOld, BODY, [SECRET], NOW).ok).toBe(false);
  });

  it('gives one replay key per delivery, whatever the case of its hex', () => {
    const signature = signPush(SECRET, BODY, t).split('v1=')[1]!;
    expect(replayKey(t, signature)).toBe(replayKey(t, signature.toUpperCase()));
    expect(replayKey(t, signature)).not.toBe(replayKey(t + 1, signature));
    expect(replayKey(t, signature)).toMatch(/^[0-9a-f]{64}$/);
  });
});
