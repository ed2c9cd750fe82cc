/**
 * An origin as browsers send it in the Origin header: scheme, host and port only, normalised as browsers do (lower
 * case, no default port). No paths, queries, credentials or wildcards: CORS matches origins exactly, and a pattern
 * would let a look-alike site in. Plain http is allowed on this machine only (a developer's localhost) unless the
 * origin comes from the platform's own configuration.
 */
export type CheckedOrigin = { ok: true; value: string } | { ok: false; message: string };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function checkOrigin(value: string, plainHttp: 'loopback' | 'anywhere' = 'loopback'): CheckedOrigin {
  const text = value.trim();
  if (text.includes('*')) return { ok: false, message: 'wildcards are not allowed; list each origin' };
  // new URL would add a root path itself, so the shape is checked on the text: nothing after the host
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/i.test(text))
    return { ok: false, message: 'must be scheme, host and port only, such as https://events.example.com (no path)' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: 'is not an origin such as https://events.example.com' };
  }
  const http = url.protocol === 'http:' && (plainHttp === 'anywhere' || LOOPBACK_HOSTS.has(url.hostname));
  if (url.protocol !== 'https:' && !http)
    return {
      ok: false,
      message: plainHttp === 'anywhere' ? 'must be http or https' : 'must be https (plain http only for localhost)',
    };
  if (url.username || url.password) return { ok: false, message: 'must not contain credentials' };
  return { ok: true, value: url.origin };
}
