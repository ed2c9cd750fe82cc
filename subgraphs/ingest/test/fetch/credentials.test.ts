import { randomBytes } from 'node:crypto';
import { ConfigError, DomainError } from '@eventgraph/runtime';
import {
  createSecretBox,
  loadCredentialsKey,
  feedCredentialsOf,
  newPushSecret,
  openCredentials,
  parseCredentials,
  pushSecretsOf,
  rotatePushSecret,
  sealCredentials,
  type SourceCredentials,
} from '../../src/credentials';
import { FeedError } from '../../src/domain/records';

const key = randomBytes(32);
const box = createSecretBox(key);
const SOURCE = '6f1c1f4e-5b7a-4d3e-9c2a-0d8e7f6a5b4c';
const OTHER_SOURCE = '0b9d2c3e-1f4a-4b5c-8d6e-7f8091a2b3c4';
const basic: SourceCredentials = { kind: 'BASIC', username: 'partner', password: 'correct horse' };

/** the code an open fails with (an open expected to fail that succeeds fails the test) */
function refusal(open: () => unknown): string {
  try {
    open();
  } catch (err) {
    if (err instanceof FeedError) return err.code;
    throw err;
  }
  throw new Error('the sealed value opened but should not have');
}

describe('sealed credentials', () => {
  it('round-trips each kind, in a versioned format that does not show the secret', () => {
    for (const credentials of [
      basic,
      { kind: 'API_KEY', header: 'X-Api-Key', value: 'k-123' },
      { kind: 'BEARER', token: 'tok-456' },
      { kind: 'WEBHOOK_SECRET', secret: newPushSecret() },
    ] as SourceCredentials[]) {
      const sealed = sealCredentials(box, credentials, SOURCE);
      expect(sealed).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
      expect(sealed).not.toContain(Buffer.from(JSON.stringify(credentials)).toString('base64').slice(0, 12));
      expect(openCredentials(box, sealed, SOURCE)).toEqual(credentials);
    }
    // a fresh IV each time: the same credentials never seal to the same text
    expect(sealCredentials(box, basic, SOURCE)).not.toBe(sealCredentials(box, basic, SOURCE));
  });

  it('detects a changed byte, another key, another source and an unknown format', () => {
    const sealed = sealCredentials(box, basic, SOURCE);
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[bytes.length - 1]! ^= 0x01;
    expect(refusal(() => openCredentials(box, `v1:${bytes.toString('base64')}`, SOURCE))).toBe('MISSING_CREDENTIALS');
    expect(refusal(() => openCredentials(createSecretBox(randomBytes(32)), sealed, SOURCE))).toBe('MISSING_CREDENTIALS');
    expect(refusal(() => openCredentials(box, sealed, OTHER_SOURCE))).toBe('MISSING_CREDENTIALS');
    expect(refusal(() => openCredentials(box, box.seal('not json', `source:${SOURCE}`), SOURCE))).toBe('MISSING_CREDENTIALS');
    expect(refusal(() => openCredentials(box, box.seal('{"kind":"OAUTH"}', `source:${SOURCE}`), SOURCE))).toBe(
      'MISSING_CREDENTIALS',
    );
    expect(refusal(() => openCredentials(box, 'v2:AAAA', SOURCE))).toBe('MISSING_CREDENTIALS');
    expect(refusal(() => openCredentials(box, 'v1:AAAA', SOURCE))).toBe('MISSING_CREDENTIALS');
  });

  it('keeps a push secret out of fetches, and accepts the previous one only while a rotation overlaps', () => {
    const now = new Date('2026-12-04T12:00:00Z');
    const first = { kind: 'WEBHOOK_SECRET', secret: 'whsec_first' } as const;
    expect(feedCredentialsOf(first)).toBeNull();
    expect(feedCredentialsOf(basic)).toEqual(basic);
    expect(pushSecretsOf(basic, now)).toEqual([]);
    const rotated = rotatePushSecret(first, 'whsec_second', now, 3_600_000);
    expect(pushSecretsOf(rotated, now)).toEqual(['whsec_second', 'whsec_first']);
    expect(pushSecretsOf(rotated, new Date(now.getTime() + 3_600_001))).toEqual(['whsec_second']);
    expect(rotatePushSecret(first, 'whsec_second', now, 0)).toEqual({ kind: 'WEBHOOK_SECRET', secret: 'whsec_second' });
    expect(newPushSecret()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });
});

describe('the credentials key', () => {
  const hex = randomBytes(32).toString('hex');
  it('reads 32 bytes as hex or base64, and refuses anything else', () => {
    expect(loadCredentialsKey({ INGEST_CREDENTIALS_KEY: hex }).toString('hex')).toBe(hex);
    const b64 = Buffer.from(hex, 'hex').toString('base64');
    expect(loadCredentialsKey({ INGEST_CREDENTIALS_KEY: b64 }).toString('hex')).toBe(hex);
    for (const bad of ['too-short', randomBytes(16).toString('base64'), `${hex}00`])
      expect(() => loadCredentialsKey({ INGEST_CREDENTIALS_KEY: bad })).toThrow(ConfigError);
  });

  it('stops a production start without a key; elsewhere falls back to the development key with a warning', () => {
    expect(() => loadCredentialsKey({ NODE_ENV: 'production' })).toThrow(/INGEST_CREDENTIALS_KEY: required in production/);
    const warnings: string[] = [];
    const log = { warn: (message: string) => warnings.push(message) } as unknown as Parameters<typeof loadCredentialsKey>[1];
    const devKey = loadCredentialsKey({ NODE_ENV: 'development' }, log);
    expect(devKey).toHaveLength(32);
    expect(loadCredentialsKey({})).toEqual(devKey); // fixed, so development data stays readable across restarts
    expect(warnings).toEqual([expect.stringContaining('development key')]);
  });
});

describe('credentials from a client', () => {
  const fieldOf = (input: Parameters<typeof parseCredentials>[0]) => {
    try {
      parseCredentials(input);
    } catch (err) {
      if (err instanceof DomainError) return err.extensions.field;
      throw err;
    }
    return null;
  };

  it('accepts each kind with its fields', () => {
    expect(parseCredentials({ kind: 'API_KEY', header: ' X-Api-Key ', value: 'k' })).toEqual({
      kind: 'API_KEY',
      header: 'X-Api-Key',
      value: 'k',
    });
    expect(parseCredentials({ kind: 'BEARER', token: 't' })).toEqual({ kind: 'BEARER', token: 't' });
  });

  it('names the field that is wrong: header injection, reserved headers, empty secrets, unknown kinds', () => {
    expect(fieldOf({ kind: 'API_KEY', header: 'X-Key\r\nHost', value: 'k' })).toBe('credentials.header');
    expect(fieldOf({ kind: 'API_KEY', header: 'Host', value: 'k' })).toBe('credentials.header');
    expect(fieldOf({ kind: 'API_KEY', header: 'X-Key', value: 'a\nb' })).toBe('credentials.value');
    expect(fieldOf({ kind: 'BASIC', username: 'a:b', password: 'p' })).toBe('credentials.username');
    expect(fieldOf({ kind: 'BASIC', username: 'a', password: '' })).toBe('credentials.password');
    expect(fieldOf({ kind: 'WEBHOOK_SECRET', secret: 'short' })).toBe('credentials.secret');
    expect(fieldOf({ kind: 'OAUTH' })).toBe('credentials.kind');
  });
});
