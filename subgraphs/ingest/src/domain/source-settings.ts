import { configProblems } from './parse';
import type { SourceKind } from './records';

/**
 * What a source may be set to. Pure: the schema files turn a problem into BAD_USER_INPUT naming its field.
 * Kinds fetched from a URL need one; uploads (CSV, an iCal file) and webhook push have none.
 */
export const FETCHED_KINDS: ReadonlySet<SourceKind> = new Set(['ICAL', 'RSS', 'JSON', 'HTML']);
export const URL_OPTIONAL_KINDS: ReadonlySet<SourceKind> = new Set(['ICAL']);
export const UPLOAD_KINDS: ReadonlySet<SourceKind> = new Set(['ICAL', 'CSV']);

export interface SourceSettings {
  kind: SourceKind;
  url: string | null;
  config: unknown;
  scheduleSeconds: number;
  priority: number;
  requestsPerMinute: number;
  autoApproveQuality: number | null;
}

export interface SettingProblem {
  field: string;
  message: string;
}

/** Sources are fetched over http(s) only: no file:// or internal schemes reach the fetcher. */
export function isFetchableUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Every problem with a source's settings, in a fixed order; empty when they are fine. */
export function sourceSettingsProblems(settings: SourceSettings): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const { kind, url } = settings;
  if (url !== null && !isFetchableUrl(url)) problems.push({ field: 'url', message: 'must be an http(s) URL' });
  if (url === null && FETCHED_KINDS.has(kind) && !URL_OPTIONAL_KINDS.has(kind))
    problems.push({ field: 'url', message: `a ${kind} source is fetched from a URL; give one` });
  if (url !== null && !FETCHED_KINDS.has(kind))
    problems.push({
      field: 'url',
      message: `a ${kind} source is not fetched (it is ${kind === 'CSV' ? 'uploaded' : 'pushed'}); leave url out`,
    });
  for (const message of configProblems(kind, settings.config)) problems.push({ field: 'config', message });
  if (!Number.isSafeInteger(settings.scheduleSeconds) || settings.scheduleSeconds < 0 || settings.scheduleSeconds > 30 * 86_400)
    problems.push({ field: 'scheduleSeconds', message: 'must be 0 (on demand only) or up to 30 days in seconds' });
  else if (settings.scheduleSeconds > 0 && settings.scheduleSeconds < 60)
    problems.push({ field: 'scheduleSeconds', message: 'must be at least 60 seconds between scheduled runs' });
  if (!Number.isSafeInteger(settings.priority) || settings.priority < -100 || settings.priority > 100)
    problems.push({ field: 'priority', message: 'must be an integer from -100 to 100' });
  if (!Number.isSafeInteger(settings.requestsPerMinute) || settings.requestsPerMinute < 1 || settings.requestsPerMinute > 600)
    problems.push({ field: 'requestsPerMinute', message: 'must be an integer from 1 to 600' });
  const quality = settings.autoApproveQuality;
  if (quality !== null && !(Number.isFinite(quality) && quality >= 0 && quality <= 1))
    problems.push({ field: 'autoApproveQuality', message: 'must be from 0 to 1 (or null: moderators approve)' });
  return problems;
}
