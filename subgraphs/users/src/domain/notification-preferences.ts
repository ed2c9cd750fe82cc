import { badInput, canonicalTimeZone, CATEGORY_SLUGS, DomainError } from '@eventgraph/runtime';

export const NOTIFICATION_CHANNELS = ['IN_APP', 'EMAIL', 'PUSH'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

export const PREFERENCE_LIMITS = { keywords: 30, keywordLength: 60, timeWindows: 7, maxDistanceKm: 20_000, dailyCap: 200 };
const DEFAULT_DAILY_CAP = 10;
const CATEGORIES = new Set<string>(CATEGORY_SLUGS);
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A local window of the day: minutes from midnight; `from > to` spans midnight (22:00–02:00). */
export interface MinuteWindow {
  from: number;
  to: number;
}

/** What a user asks to be notified about, as given (GraphQL input, before validation). */
export interface PreferenceInput {
  categories?: readonly string[] | null;
  keywords?: readonly string[] | null;
  days?: readonly number[] | null;
  timeWindows?: readonly { from: string; to: string }[] | null;
  timeZone?: string | null;
  home?: { latitude: number; longitude: number } | null;
  maxDistanceKm?: number | null;
  price?: { min?: number | null; max?: number | null; currency: string } | null;
  channels?: readonly NotificationChannel[] | null;
  quietHours?: { from: string; to: string } | null;
  dailyCap?: number | null;
}

/** The validated preferences, in the shape they are stored and matched in. */
export interface Preferences {
  categories: string[];
  keywords: string[];
  days: number[];
  timeWindows: MinuteWindow[];
  timeZone: string;
  homeLatitude: number | null;
  homeLongitude: number | null;
  maxDistanceKm: number | null;
  priceMin: number | null;
  priceMax: number | null;
  currency: string | null;
  channels: NotificationChannel[];
  quietFrom: number | null;
  quietTo: number | null;
  dailyCap: number;
}

/** "18:30" → 1110. */
export function minutesOf(field: string, text: string): number {
  const m = HH_MM.exec(text.trim());
  if (!m) throw badInput(field, 'a local time as HH:MM (00:00–23:59)');
  return Number(m[1]) * 60 + Number(m[2]);
}

export const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Keywords match whole words of an event (see eventTerms): lowercase, single spaces, no duplicates. */
function keywordsOf(list: readonly string[]): string[] {
  const out = [...new Set(list.map((k) => k.trim().toLowerCase().replace(/\s+/g, ' ')).filter(Boolean))];
  if (out.length > PREFERENCE_LIMITS.keywords) throw badInput('keywords', `at most ${PREFERENCE_LIMITS.keywords}`);
  for (const k of out) {
    if (k.length > PREFERENCE_LIMITS.keywordLength)
      throw badInput('keywords', `each at most ${PREFERENCE_LIMITS.keywordLength} characters`);
    if (k.split(' ').length > 2) throw badInput('keywords', `"${k}": a keyword is one word or two`);
  }
  return out;
}

/**
 * Checks a user's preferences and brings them into their stored shape. Every refusal names its field;
 * categories outside the platform's taxonomy are UNKNOWN_CATEGORY (with the list of known ones).
 */
export function validatePreferences(input: PreferenceInput): Preferences {
  const categories = [...new Set((input.categories ?? []).map((c) => c.trim().toLowerCase()))];
  const unknown = categories.filter((c) => !CATEGORIES.has(c));
  if (unknown.length)
    throw new DomainError('UNKNOWN_CATEGORY', `unknown categories: ${unknown.join(', ')}`, {
      field: 'categories',
      unknown,
      known: [...CATEGORY_SLUGS],
    });
  const days = [...new Set(input.days ?? [])].sort((a, b) => a - b);
  if (days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) throw badInput('days', 'ISO weekdays: 1 (Monday) to 7 (Sunday)');
  const windows = (input.timeWindows ?? []).map((w) => ({
    from: minutesOf('timeWindows', w.from),
    to: minutesOf('timeWindows', w.to),
  }));
  if (windows.length > PREFERENCE_LIMITS.timeWindows) throw badInput('timeWindows', `at most ${PREFERENCE_LIMITS.timeWindows}`);
  if (windows.some((w) => w.from === w.to)) throw badInput('timeWindows', 'a window needs a start before its end');
  const timeZone = input.timeZone == null ? 'UTC' : canonicalTimeZone(input.timeZone);
  if (!timeZone) throw badInput('timeZone', 'an IANA time zone such as Europe/Berlin');
  const distance = input.maxDistanceKm ?? null;
  if (distance != null && !(Number.isFinite(distance) && distance >= 0))
    throw new DomainError('NEGATIVE_DISTANCE', 'maxDistanceKm: a distance of zero or more kilometres', {
      field: 'maxDistanceKm',
    });
  if (distance != null && distance > PREFERENCE_LIMITS.maxDistanceKm)
    throw badInput('maxDistanceKm', `at most ${PREFERENCE_LIMITS.maxDistanceKm}`);
  if (distance != null && !input.home) throw badInput('home', 'a maximum distance needs a home location');
  const home = input.home ?? null;
  if (home && !(Math.abs(home.latitude) <= 90 && Math.abs(home.longitude) <= 180))
    throw badInput('home', 'latitude within ±90 and longitude within ±180');
  const price = input.price ?? null;
  if (price) {
    for (const [field, v] of [
      ['price.min', price.min],
      ['price.max', price.max],
    ] as const)
      if (v != null && !(Number.isInteger(v) && v >= 0)) throw badInput(field, 'whole minor units (cents), zero or more');
    if (price.min != null && price.max != null && price.min > price.max) throw badInput('price', 'min above max');
    if (!/^[A-Z]{3}$/.test(price.currency.trim().toUpperCase())) throw badInput('price.currency', 'an ISO 4217 code (EUR)');
  }
  const channels: NotificationChannel[] = [...new Set(input.channels ?? (['IN_APP'] as const))];
  const quiet = input.quietHours
    ? { from: minutesOf('quietHours', input.quietHours.from), to: minutesOf('quietHours', input.quietHours.to) }
    : null;
  if (quiet && quiet.from === quiet.to) throw badInput('quietHours', 'quiet hours need a start before their end');
  const dailyCap = input.dailyCap ?? DEFAULT_DAILY_CAP;
  if (!Number.isInteger(dailyCap) || dailyCap < 1 || dailyCap > PREFERENCE_LIMITS.dailyCap)
    throw badInput('dailyCap', `from 1 to ${PREFERENCE_LIMITS.dailyCap}`);
  return {
    categories,
    keywords: keywordsOf(input.keywords ?? []),
    days,
    timeWindows: windows,
    timeZone,
    homeLatitude: home?.latitude ?? null,
    homeLongitude: home?.longitude ?? null,
    maxDistanceKm: distance,
    priceMin: price?.min ?? null,
    priceMax: price?.max ?? null,
    currency: price ? price.currency.trim().toUpperCase() : null,
    channels,
    quietFrom: quiet?.from ?? null,
    quietTo: quiet?.to ?? null,
    dailyCap,
  };
}
