import { canonicalTimeZone, utcOffsetMs, zonedToUtc, type LocalTime } from '@eventgraph/runtime';
import { findIana, IANA_ALIAS_MAP } from 'windows-iana';

/**
 * Time-zone names as feeds write them, mapped to IANA zones the runtime knows. Feeds in the wild
 * use IANA names and their old links (`US/Central`), Windows ids (`W. Europe Standard Time`),
 * Outlook display names (`(UTC-05:00) Eastern Time (US & Canada)`) and vendor-prefixed ids
 * (`/mozilla.org/20070129_1/Europe/Berlin`). Anything else is no zone we can trust.
 */

/** Outlook display names whose cities name no IANA zone (the rest are found by city below). */
const DISPLAY_NAMES: Record<string, string> = {
  'eastern time (us & canada)': 'America/New_York',
  'central time (us & canada)': 'America/Chicago',
  'mountain time (us & canada)': 'America/Denver',
  'pacific time (us & canada)': 'America/Los_Angeles',
  'atlantic time (canada)': 'America/Halifax',
  alaska: 'America/Anchorage',
  hawaii: 'Pacific/Honolulu',
  arizona: 'America/Phoenix',
  'coordinated universal time': 'UTC',
};

const DISPLAY_NAME = /^\((?:UTC|GMT)\s*(?:([+-])(\d{1,2}):?(\d{2}))?\)\s*(.*)$/i;

let cities: Map<string, string> | undefined;

/** IANA zones (and the links the alias table lists) by their last segment: `sydney` → Australia/Sydney. */
function zonesByCity(): Map<string, string> {
  if (cities) return cities;
  const names = [...Intl.supportedValuesOf('timeZone'), ...IANA_ALIAS_MAP.flatMap((entry) => entry.alias)];
  cities = new Map();
  for (const name of names) {
    const city = name.split('/').pop()!.replace(/_/g, ' ').toLowerCase();
    if (name.includes('/') && !cities.has(city)) cities.set(city, name);
  }
  return cities;
}

/** `(UTC+10:00) Canberra, Melbourne, Sydney`: a listed name, a city whose zone has that standard offset, else the fixed offset. */
function fromDisplayName(name: string): string | undefined {
  const match = DISPLAY_NAME.exec(name.trim());
  if (!match) return undefined;
  const [, sign, hours, minutes, text] = match;
  const offsetMinutes = sign ? (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) : 0;
  const listed = DISPLAY_NAMES[text!.trim().toLowerCase()];
  if (listed) return listed;
  const year = new Date().getUTCFullYear();
  for (const city of text!.split(/,| and /)) {
    const zone = zonesByCity().get(city.trim().toLowerCase());
    const canonical = zone && canonicalTimeZone(zone);
    if (!canonical) continue;
    // the display name gives the standard offset: the lower of January's and July's
    const standard = Math.min(utcOffsetMs(canonical, Date.UTC(year, 0, 15)), utcOffsetMs(canonical, Date.UTC(year, 6, 15)));
    if (standard === offsetMinutes * 60_000) return canonical;
  }
  if (offsetMinutes % 60 !== 0) return undefined;
  const hoursEast = offsetMinutes / 60;
  // Etc/GMT signs are inverted by POSIX convention: Etc/GMT-10 is ten hours east of UTC
  return hoursEast === 0 ? 'UTC' : canonicalTimeZone(`Etc/GMT${hoursEast > 0 ? '-' : '+'}${Math.abs(hoursEast)}`);
}

/** `/mozilla.org/20070129_1/Europe/Berlin`, `tzone://Microsoft/Custom/Europe/Paris`: the longest tail that is a zone. */
function fromPathTail(name: string): string | undefined {
  const segments = name.split('/').filter(Boolean);
  for (let i = 0; i < segments.length - 1; i++) {
    const zone = canonicalTimeZone(segments.slice(i).join('/'));
    if (zone) return zone;
  }
  return undefined;
}

/** The IANA zone a feed's zone name stands for, or undefined when it names none we know. */
export function resolveTimeZone(name: string | null | undefined): string | undefined {
  const trimmed = name?.trim().replace(/^"|"$/g, '');
  if (!trimmed) return undefined;
  const direct = canonicalTimeZone(trimmed);
  if (direct) return direct;
  const windows = findIana(trimmed)[0];
  if (windows) return canonicalTimeZone(windows);
  return fromPathTail(trimmed) ?? fromDisplayName(trimmed);
}

/** A wall-clock time in some zone. */
export type WallClock = LocalTime;

/** The instant a wall-clock time names in a zone (see the runtime's zonedToUtc for the DST rules). */
export const zonedInstant = (local: WallClock, timeZone: string): Date => new Date(zonedToUtc(local, timeZone));
