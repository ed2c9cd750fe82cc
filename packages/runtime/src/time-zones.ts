/**
 * Wall-clock time in IANA zones, from the zone data the Node.js runtime ships (Intl): no tz
 * database of our own. One formatter per zone, kept, since creating one is the expensive part.
 */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Is this a time zone the runtime knows (`Europe/Berlin`, `UTC`)? */
export function isTimeZone(timeZone: string): boolean {
  if (!timeZone) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Modern IANA names the runtime's ICU still lists under an older link (Asia/Calcutta for
 * Asia/Kolkata): kept as the caller wrote them rather than turned into the old name.
 */
const MODERN_NAMES = [
  'Asia/Kolkata',
  'Europe/Kyiv',
  'Asia/Kathmandu',
  'Asia/Ho_Chi_Minh',
  'Asia/Yangon',
  'Atlantic/Faroe',
  'America/Nuuk',
  'Pacific/Kanton',
  'Pacific/Chuuk',
  'Pacific/Pohnpei',
  'Africa/Asmara',
  'America/Argentina/Buenos_Aires',
  'America/Indiana/Indianapolis',
  'America/Kentucky/Louisville',
  'UTC',
  'Etc/UTC',
  'Etc/GMT',
  ...Array.from({ length: 27 }, (_, i) => i - 14)
    .filter((hours) => hours !== 0)
    .map((hours) => `Etc/GMT${hours > 0 ? '+' : '-'}${Math.abs(hours)}`),
];

let spellings: Map<string, string> | undefined;

/** Every zone name the runtime lists, by its lower-case form. */
function knownSpellings(): Map<string, string> {
  spellings ??= new Map(
    [...Intl.supportedValuesOf('timeZone'), ...MODERN_NAMES.filter(isTimeZone)].map((name) => [name.toLowerCase(), name]),
  );
  return spellings;
}

/**
 * The canonical spelling of a time zone, matched case-insensitively (`europe/berlin` →
 * `Europe/Berlin`, `utc` → `UTC`); a link the runtime knows only as an alias becomes the zone it
 * links to (`us/eastern` → `America/New_York`). Undefined for a name that is no time zone. Every
 * place that accepts a time zone stores this, so equal zones are equal strings.
 */
export function canonicalTimeZone(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 64) return undefined;
  const known = knownSpellings().get(trimmed.toLowerCase());
  if (known) return known;
  // not through `formatter`: its cache would keep every spelling a caller cares to send
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The wall-clock time in the zone at an instant (to the second). */
export function localTime(timeZone: string, at: Date | number): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The zone's offset from UTC at an instant, in ms (local wall clock minus UTC). */
export function utcOffsetMs(timeZone: string, at: number): number {
  const t = localTime(timeZone, at);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(at / 1000) * 1000;
}

/**
 * The instant (epoch ms) a wall-clock time names in a zone. A time that occurs twice (the autumn change) takes
 * the first; one skipped by the spring change moves forward by the gap, as RFC 5545 says (02:30 on a
 * spring-forward night is 03:30).
 */
export function zonedToUtc(local: LocalTime & { millisecond?: number }, timeZone: string): number {
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second, local.millisecond ?? 0);
  const before = utcOffsetMs(timeZone, asUtc - 86_400_000);
  const after = utcOffsetMs(timeZone, asUtc + 86_400_000);
  const valid = [...new Set([before, after])]
    .map((offset) => asUtc - offset)
    .filter((t) => utcOffsetMs(timeZone, t) === asUtc - t)
    .sort((a, b) => a - b);
  return valid[0] ?? asUtc - before;
}
