import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults (OWASP's recommended minimums). */
export const hashPassword = (password: string) => hash(password);

// a real hash, so checking a password for an unknown email costs what checking a known one does
const DECOY = hash('decoy-password-for-unknown-accounts');

/** Verifies in constant time; with no stored hash it still runs a full verification, then fails. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  if (!stored) {
    await verify(await DECOY, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
