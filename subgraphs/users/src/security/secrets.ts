import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A secret worth 256 bits, URL-safe. Only its hash is stored. */
export const newSecret = () => randomBytes(32).toString('base64url');

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `<id>.<secret>`: the id finds the row, the secret proves possession. */
export function splitToken(token: string): { id: string; secret: string } | null {
  const match = /^([0-9a-f-]{36})\.([\w-]{20,})$/i.exec(token.trim());
  return match ? { id: match[1]!.toLowerCase(), secret: match[2]! } : null;
}
