import { createHash } from 'node:crypto';
import type { ParsedRecord, RecordProblem, RecordProblemCode } from '../records';

/** A record with every field empty, to fill in. */
export function emptyRecord(raw: Record<string, unknown>): ParsedRecord {
  return {
    feedId: null,
    title: null,
    description: null,
    startsAt: null,
    endsAt: null,
    allDay: false,
    timeZone: null,
    location: null,
    latitude: null,
    longitude: null,
    url: null,
    imageUrl: null,
    categories: [],
    cancelled: false,
    recurring: false,
    raw,
  };
}

export const problem = (code: RecordProblemCode, reason: string, ref?: string): RecordProblem =>
  ref === undefined ? { code, reason } : { code, reason, ref };

/** A stable id for a record its feed gave none: the same title and date give the same id on every fetch. */
export function contentId(...parts: (string | null | undefined)[]): string {
  return `sha1:${createHash('sha1')
    .update(parts.map((p) => p ?? '').join('\u0000'))
    .digest('hex')
    .slice(0, 20)}`;
}

/** Whitespace collapsed, empty as null. */
export function cleanText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).replace(/\s+/g, ' ').trim();
  return text === '' ? null : text;
}

/** A URL made absolute against the page it came from; null when it is no http(s) URL. */
export function absoluteUrl(value: string | null | undefined, baseUrl?: string): string | null {
  const text = value?.trim();
  if (!text) return null;
  try {
    const url = new URL(text, baseUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A finite number from a number or numeric text, else null. */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : null;
}

/** Latitude and longitude kept only when both are in range. */
export function coordinates(lat: unknown, lon: unknown): { latitude: number | null; longitude: number | null } {
  const latitude = toNumber(lat);
  const longitude = toNumber(lon);
  if (latitude === null || longitude === null || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
    return { latitude: null, longitude: null };
  }
  return { latitude, longitude };
}
