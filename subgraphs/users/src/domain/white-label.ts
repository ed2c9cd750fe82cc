import { checkOrigin } from '@eventgraph/runtime';

export { checkOrigin };

/**
 * A partner site's white-label configuration: the origins its pages are served
 * from (the gateway answers cross-origin calls from them) and its logo. Pure
 * rules: each check returns the normalised value or why it is refused.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** More origins than this is a platform, not a partner site. */
export const MAX_ALLOWED_ORIGINS = 20;
/** An inline logo is kept in the partner app's row and sent with every branding read: keep it small. */
export const MAX_DATA_LOGO_BYTES = 64 * 1024;
const MAX_URL_LENGTH = 2_048;
const LOGO_MEDIA_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml']);

/** A partner app's list of origins: each checked, duplicates dropped, order kept. */
export function checkOrigins(values: readonly string[]): Checked<string[]> & { index?: number } {
  if (values.length > MAX_ALLOWED_ORIGINS) return { ok: false, message: `at most ${MAX_ALLOWED_ORIGINS} origins` };
  const origins: string[] = [];
  for (const [index, value] of values.entries()) {
    const checked = checkOrigin(value);
    if (!checked.ok) return { ...checked, index };
    if (!origins.includes(checked.value)) origins.push(checked.value);
  }
  return { ok: true, value: origins };
}

const DATA_URL = /^data:([a-z0-9.+/-]+)(;base64)?,(.*)$/is;

/**
 * A logo: an https URL, or a small inline image (`data:image/png;base64,…`).
 * SVG is allowed: a partner site shows it as an image, where scripts do not run.
 */
export function checkLogoUrl(value: string): Checked<string> {
  const text = value.trim();
  if (text.toLowerCase().startsWith('data:')) {
    const match = DATA_URL.exec(text);
    if (!match || !LOGO_MEDIA_TYPES.has(match[1]!.toLowerCase()))
      return { ok: false, message: `an inline logo must be data:<type>,… with type ${[...LOGO_MEDIA_TYPES].join(', ')}` };
    const payload = match[3]!;
    if (match[2] && !/^[a-z0-9+/]*={0,2}$/i.test(payload)) return { ok: false, message: 'the base64 data is not valid' };
    const bytes = match[2] ? Buffer.byteLength(payload, 'base64') : Buffer.byteLength(decodeURIComponentSafe(payload));
    if (bytes > MAX_DATA_LOGO_BYTES)
      return { ok: false, message: `an inline logo may be at most ${MAX_DATA_LOGO_BYTES / 1024} KiB; link a larger one` };
    return { ok: true, value: text };
  }
  if (text.length > MAX_URL_LENGTH) return { ok: false, message: `must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: 'must be an https URL or a data: image' };
  }
  if (url.protocol !== 'https:') return { ok: false, message: 'must be an https URL or a data: image' };
  if (url.username || url.password) return { ok: false, message: 'must not contain credentials' };
  return { ok: true, value: url.href };
}

const decodeURIComponentSafe = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};
