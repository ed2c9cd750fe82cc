// The scanner's own credential, kept in a file only its user can read (0600, in a 0700 directory).
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredCredential {
  deviceId: string;
  name: string;
  /** the gates the device was registered for */
  allowedGateIds: string[];
  /** `egd_…`, sent as `Authorization: Bearer <credential>` */
  credential: string;
  /** the gateway the credential was issued by */
  url: string;
  provisionedAt: string;
}

export const credentialFile = (stateDir: string) => join(stateDir, 'credential.json');

/** The stored credential, or null before the device was provisioned. */
export async function loadCredential(stateDir: string): Promise<StoredCredential | null> {
  let text: string;
  try {
    text = await readFile(credentialFile(stateDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const stored = JSON.parse(text) as Partial<StoredCredential>;
  if (typeof stored.credential !== 'string' || typeof stored.deviceId !== 'string')
    throw new Error(`${credentialFile(stateDir)} is not a scanner credential file; remove it and provision again`);
  return stored as StoredCredential;
}

/**
 * Written to a temporary file created 0600 and renamed over the old one: a crash leaves the old
 * credential or the new one, never half of one, and the secret is never readable by others.
 */
export async function saveCredential(stateDir: string, credential: StoredCredential): Promise<string> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = credentialFile(stateDir);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600, flag: 'w' });
  await chmod(tmp, 0o600); // the umask cannot widen it, but an existing tmp file kept its old mode
  await rename(tmp, file);
  return file;
}
