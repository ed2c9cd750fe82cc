import { plainText } from '../normalise/text';
import type { CanonicalFields } from './survivorship';

/** The closed set of quality signals, shown to moderators beside the score. */
export const QUALITY_SIGNALS = [
  'NO_DESCRIPTION',
  'SHORT_DESCRIPTION',
  'NO_PLACE',
  'NO_URL',
  'NO_IMAGE',
  'NO_CATEGORY',
  'LOW_TRUST',
  'LINK_ONLY_DESCRIPTION',
  'SHOUTING_TITLE',
  'EXCESSIVE_PUNCTUATION',
  'EXCESSIVE_EMOJI',
  'URL_IN_TITLE',
] as const;
export type QualitySignal = (typeof QUALITY_SIGNALS)[number];

/** what each spam signal costs: they are worse than a thin listing */
const SPAM_PENALTY = 0.2;

/** what a complete listing has, and how much each counts */
const COMPLETENESS: [QualitySignal, number, (f: CanonicalFields, text: string) => boolean][] = [
  ['NO_DESCRIPTION', 0.3, (_f, text) => text.length > 0],
  ['SHORT_DESCRIPTION', 0.1, (_f, text) => text.length >= 80],
  ['NO_PLACE', 0.25, (f) => f.place.latitude !== null || f.place.venueId !== null],
  ['NO_URL', 0.15, (f) => f.url !== null],
  ['NO_IMAGE', 0.1, (f) => f.imageUrl !== null],
  ['NO_CATEGORY', 0.1, (f) => f.categories.some((c) => c.slug !== 'other')],
];

const URL_LIKE = /https?:\/\/\S+|www\.\S+|\b[a-z0-9-]+\.(?:com|net|org|io|de|ly|example)\b\S*/i;
const EMOJI = /\p{Extended_Pictographic}/gu;

function spamSignals(fields: CanonicalFields, text: string): QualitySignal[] {
  const signals: QualitySignal[] = [];
  const withoutLinks = text.replace(/https?:\/\/\S+|www\.\S+/gi, '').trim();
  const links = (fields.description.match(/<a\s/gi) ?? []).length + (text.match(/https?:\/\/\S+/gi) ?? []).length;
  if (
    links > 0 &&
    withoutLinks
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim()
      .split(/\s+/).length < 5
  )
    signals.push('LINK_ONLY_DESCRIPTION');
  const letters = fields.title.replace(URL_LIKE, '').replace(/[^\p{L}]/gu, '');
  const upper = letters.replace(/[^\p{Lu}]/gu, '');
  // short acronyms ("ABBA", "DJ SET") are no shouting
  if (letters.length >= 12 && upper.length / letters.length > 0.8) signals.push('SHOUTING_TITLE');
  if (/[!?]{3,}|[!?](\s*[!?]){2,}|\${2,}|\*{3,}/.test(`${fields.title} ${text}`)) signals.push('EXCESSIVE_PUNCTUATION');
  const emoji = (fields.title.match(EMOJI) ?? []).length;
  if (emoji >= 3 || (text.match(EMOJI) ?? []).length >= 10) signals.push('EXCESSIVE_EMOJI');
  if (URL_LIKE.test(fields.title)) signals.push('URL_IN_TITLE');
  return signals;
}

/**
 * 0..1, with the reasons: completeness (60 %) and the source's trust (40 %), less a penalty per spam signal.
 * Moderators sort their queue by it; auto-approval compares against it.
 */
export function qualityScore(fields: CanonicalFields, trust: number): { score: number; signals: string[] } {
  const text = plainText(fields.description);
  const signals: QualitySignal[] = [];
  let completeness = 0;
  for (const [signal, weight, has] of COMPLETENESS) {
    if (has(fields, text)) completeness += weight;
    // a missing description already says it is short
    else if (!(signal === 'SHORT_DESCRIPTION' && text.length === 0)) signals.push(signal);
  }
  const trustShare = Math.max(0, Math.min(100, trust)) / 100;
  if (trustShare < 0.5) signals.push('LOW_TRUST');
  const spam = spamSignals(fields, text);
  signals.push(...spam);
  const score = 0.6 * completeness + 0.4 * trustShare - SPAM_PENALTY * spam.length;
  return { score: Math.round(Math.max(0, Math.min(1, score)) * 1000) / 1000, signals };
}

export type ArrivalModeration = 'APPROVED' | 'PENDING' | 'FLAGGED';

/** below this a canonical event goes to moderators flagged, whatever its source */
export const FLAG_BELOW_QUALITY = 0.3;

/**
 * The moderation state a new (or changed) canonical event starts in: flagged when its quality is very low,
 * approved when its source opted into auto-approval and both trust and quality clear its bar, else pending.
 */
export function moderationOnArrival(input: {
  quality: number;
  trust: number;
  autoApprove: { minTrust: number; minQuality: number } | null;
}): ArrivalModeration {
  if (input.quality < FLAG_BELOW_QUALITY) return 'FLAGGED';
  const bar = input.autoApprove;
  if (bar && input.trust >= bar.minTrust && input.quality >= bar.minQuality) return 'APPROVED';
  return 'PENDING';
}
