import type { NormalisedRecord } from '../records';
import { neighbourCells } from '../normalise/geohash';
import { cleanUrl } from '../normalise/text';
import { scoreMatch, timeProximity, type CanonicalCandidate, type MatchExplanation } from './score';
import type { DedupSettings } from './settings';

/** how far apart two listings of one event can put its start (time zones written wrong, a day's all-day) */
export const BLOCKING_WINDOW_HOURS = 36;

/** a multi-day event is looked for across its own length too (sources disagree on its first day), up to a week */
const MAX_WINDOW_HOURS = 7 * 24;

/**
 * The candidates a record is compared with: canonical events starting within the window, in its geo cell or
 * the eight around it. No cells (no known place) means the time window alone.
 */
export function blockingFor(record: NormalisedRecord): { from: Date; to: Date; cells: string[] } {
  const hour = 3_600_000;
  const length = record.endsAt ? (record.endsAt.getTime() - record.startsAt.getTime()) / hour : 0;
  const window = Math.min(MAX_WINDOW_HOURS, Math.max(BLOCKING_WINDOW_HOURS, length)) * hour;
  const cell = record.place.cell;
  return {
    from: new Date(record.startsAt.getTime() - window),
    to: new Date(record.startsAt.getTime() + window),
    cells: cell ? [cell, ...neighbourCells(cell)] : [],
  };
}

export type MatchReason = 'EXTERNAL_ID' | 'URL' | 'SCORE' | 'PINNED';

export interface CanonicalChoice {
  canonicalId: string;
  explanation: MatchExplanation & { reason: MatchReason };
}

export interface MatchDecisions {
  /** canonical events a moderator split this record out of: never joined again */
  forbidden: Set<string>;
  /** the canonical event a moderator merged this record into */
  pinned: string | null;
}

/** a shared URL is the same event only on the same day: one page often lists a whole series */
const URL_MIN_TIME = 0.5;

/**
 * The canonical event a record joins, or null for a new one. In order: a moderator's pin; the same external id
 * (the record was placed before); the same event page URL on the same day; the best score at or above the
 * threshold. A forbidden candidate is never chosen, whatever it scores.
 */
export function chooseCanonical(
  record: NormalisedRecord,
  candidates: CanonicalCandidate[],
  settings: DedupSettings,
  decisions: MatchDecisions,
): CanonicalChoice | null {
  const allowed = candidates.filter((c) => !decisions.forbidden.has(c.id));
  const explain = (c: CanonicalCandidate) => scoreMatch(record, c, settings);
  if (decisions.pinned && !decisions.forbidden.has(decisions.pinned)) {
    const pinned = allowed.find((c) => c.id === decisions.pinned);
    const explanation = pinned ? explain(pinned) : { total: 1, title: 1, time: 1, location: 1 };
    return { canonicalId: decisions.pinned, explanation: { ...explanation, reason: 'PINNED' } };
  }
  const sameId = allowed.find((c) => c.externalIds.includes(record.externalId));
  if (sameId) return { canonicalId: sameId.id, explanation: { ...explain(sameId), reason: 'EXTERNAL_ID' } };
  const url = comparableUrl(record.url);
  if (url) {
    const sameUrl = allowed.find((c) => c.urls.some((u) => comparableUrl(u) === url) && timeProximity(record, c) >= URL_MIN_TIME);
    if (sameUrl) return { canonicalId: sameUrl.id, explanation: { ...explain(sameUrl), reason: 'URL' } };
  }
  let best: { candidate: CanonicalCandidate; explanation: MatchExplanation } | null = null;
  for (const candidate of allowed) {
    const explanation = explain(candidate);
    if (explanation.total >= settings.threshold && (!best || explanation.total > best.explanation.total))
      best = { candidate, explanation };
  }
  return best ? { canonicalId: best.candidate.id, explanation: { ...best.explanation, reason: 'SCORE' } } : null;
}

/** scheme, "www." and a trailing slash do not make another page; a site's home page identifies no event */
function comparableUrl(value: string | null): string | null {
  const url = cleanUrl(value);
  if (!url) return null;
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/+$/, '');
  if (!path && !parsed.search) return null;
  return `${parsed.hostname.replace(/^www\./, '')}${path}${parsed.search}`.toLowerCase();
}
