import { ConfigError } from '@eventgraph/runtime';
import { FETCH_DEFAULTS } from './http-fetch';

/** How ingest fetches feeds: read from the environment once, when the subgraph starts. */
export interface FetchSettings {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /**
   * `deny`: feeds on loopback, private or link-local addresses are refused (server-side request forgery). The
   * default in production; `allow` elsewhere, so a feed served on this machine works in development.
   */
  privateTargets: 'allow' | 'deny';
  /** host names exempt from `deny` (lowercase): an internal feed the operator trusts */
  privateHostsAllowed: string[];
  userAgent: string;
}

/**
 * INGEST_FETCH_TIMEOUT_MS, INGEST_FETCH_MAX_BYTES, INGEST_FETCH_MAX_REDIRECTS, INGEST_USER_AGENT and
 * INGEST_PRIVATE_TARGETS (allow | deny; default deny when NODE_ENV=production, else allow), INGEST_PRIVATE_HOSTS_ALLOWED
 * (comma-separated host names exempt from deny). A bad value stops the
 * start with a message naming the setting.
 */
export function loadFetchSettings(env: Record<string, string | undefined> = process.env): FetchSettings {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min || value > max)
      problems.push(`${name}: must be an integer from ${min} to ${max}`);
    return value;
  };
  const privateTargets = env.INGEST_PRIVATE_TARGETS || (env.NODE_ENV === 'production' ? 'deny' : 'allow');
  if (privateTargets !== 'allow' && privateTargets !== 'deny') problems.push('INGEST_PRIVATE_TARGETS: must be allow or deny');
  const settings: FetchSettings = {
    timeoutMs: int('INGEST_FETCH_TIMEOUT_MS', FETCH_DEFAULTS.timeoutMs, 100, 300_000),
    maxBytes: int('INGEST_FETCH_MAX_BYTES', FETCH_DEFAULTS.maxBytes, 1024, 200 * 1024 * 1024),
    maxRedirects: int('INGEST_FETCH_MAX_REDIRECTS', FETCH_DEFAULTS.maxRedirects, 0, 20),
    privateTargets: privateTargets as FetchSettings['privateTargets'],
    privateHostsAllowed: (env.INGEST_PRIVATE_HOSTS_ALLOWED ?? '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
    userAgent: env.INGEST_USER_AGENT?.trim() || FETCH_DEFAULTS.userAgent,
  };
  if (problems.length) throw new ConfigError(problems);
  return settings;
}
