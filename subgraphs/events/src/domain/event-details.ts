import sanitizeHtml from 'sanitize-html';

/**
 * The rules an event's and a venue's details obey. Each check returns the
 * problems it finds as `{ field, message }`, so a caller can name the field.
 */
export interface Problem {
  field: string;
  message: string;
}

export type CostType = 'FREE' | 'PAID' | 'DONATION' | 'VARIABLE';

export const LIMITS = { categories: 10, tags: 30, images: 20, description: 20_000, label: 60 } as const;

const HTTP_URL = (value: string) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

export function urlProblems(field: string, values: readonly (string | null | undefined)[]): Problem[] {
  return values.flatMap((value, i) =>
    value == null || HTTP_URL(value)
      ? []
      : [{ field: values.length > 1 ? `${field}[${i}]` : field, message: 'must be an http(s) URL' }],
  );
}

/** Categories and tags are compared lower-case; duplicates collapse. */
export function labels(field: string, values: readonly string[], max: number): { values: string[]; problems: Problem[] } {
  const cleaned = [...new Set(values.map((v) => v.trim().toLowerCase()).filter(Boolean))];
  const problems: Problem[] = [];
  if (cleaned.length > max) problems.push({ field, message: `at most ${max}` });
  const long = cleaned.findIndex((v) => v.length > LIMITS.label);
  if (long >= 0) problems.push({ field: `${field}[${long}]`, message: `at most ${LIMITS.label} characters` });
  return { values: cleaned, problems };
}

export interface Price {
  costType: CostType;
  priceMin?: number | null;
  priceMax?: number | null;
  currency?: string | null;
}

/** Free events have no price; paid ones a currency and 0 ≤ min ≤ max (in minor units). */
export function priceProblems(price: Price): Problem[] {
  const { costType, priceMin, priceMax, currency } = price;
  const problems: Problem[] = [];
  const hasPrice = priceMin != null || priceMax != null;
  if (costType === 'FREE' && hasPrice) problems.push({ field: 'priceMin', message: 'a free event has no price' });
  if (costType === 'PAID' && priceMin == null) problems.push({ field: 'priceMin', message: 'a paid event needs a price' });
  for (const [field, value] of [
    ['priceMin', priceMin],
    ['priceMax', priceMax],
  ] as const) {
    if (value != null && (!Number.isInteger(value) || value < 0))
      problems.push({ field, message: 'must be a whole number of minor units, 0 or more' });
  }
  if (priceMin != null && priceMax != null && priceMax < priceMin)
    problems.push({ field: 'priceMax', message: 'must not be below priceMin' });
  if (hasPrice && !(currency && /^[A-Z]{3}$/.test(currency)))
    problems.push({ field: 'currency', message: 'an ISO 4217 code such as EUR is needed with a price' });
  else if (currency != null && !/^[A-Z]{3}$/.test(currency))
    problems.push({ field: 'currency', message: 'must be an ISO 4217 code such as EUR' });
  return problems;
}

/**
 * Coordinates are kept to 1e-7 degree (about a centimetre; finer is noise). It also keeps out values below
 * float8's normal range (5e-324), which make PostgreSQL's distance arithmetic fail with an underflow.
 */
export const roundCoordinate = <T extends number | null | undefined>(value: T): T =>
  (typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 1e7) / 1e7 + 0 : value) as T;

export function coordinateProblems(latitude?: number | null, longitude?: number | null): Problem[] {
  const problems: Problem[] = [];
  if ((latitude == null) !== (longitude == null))
    problems.push({ field: latitude == null ? 'latitude' : 'longitude', message: 'give latitude and longitude together' });
  if (latitude != null && !(latitude >= -90 && latitude <= 90))
    problems.push({ field: 'latitude', message: 'must be between -90 and 90' });
  if (longitude != null && !(longitude >= -180 && longitude <= 180))
    problems.push({ field: 'longitude', message: 'must be between -180 and 180' });
  return problems;
}

export const countryProblems = (countryCode?: string | null): Problem[] =>
  countryCode == null || /^[A-Z]{2}$/.test(countryCode)
    ? []
    : [{ field: 'countryCode', message: 'must be an ISO 3166-1 alpha-2 code such as DE' }];

export const capacityProblems = (maxCapacity?: number | null): Problem[] =>
  maxCapacity == null || (Number.isInteger(maxCapacity) && maxCapacity >= 0)
    ? []
    : [{ field: 'maxCapacity', message: 'must be a whole number from 0 to 2,147,483,647' }];

/**
 * Rich text as partners may render it without escaping: a small set of
 * formatting tags, links that open safely, nothing that runs.
 */
export function sanitizeDescription(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: ['p', 'br', 'strong', 'b', 'em', 'i', 'u', 'ul', 'ol', 'li', 'a', 'h3', 'h4', 'blockquote'],
    allowedAttributes: { a: ['href', 'title', 'rel', 'target'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
  }).trim();
}

/** The fields a calendar shows: a change to any of them bumps the event's SEQUENCE. */
export const CALENDAR_FIELDS = [
  'title',
  'description',
  'startsAt',
  'endsAt',
  'allDay',
  'venueId',
  'status',
  'externalUrl',
  'locationName',
  'timeZone',
  'latitude',
  'longitude',
] as const;

export function changedFields<T extends Record<string, unknown>>(before: T, after: Partial<T>): (keyof T)[] {
  return (Object.keys(after) as (keyof T)[]).filter((key) => {
    const [a, b] = [before[key], after[key]];
    if (a instanceof Date && b instanceof Date) return a.getTime() !== b.getTime();
    return JSON.stringify(a) !== JSON.stringify(b);
  });
}
