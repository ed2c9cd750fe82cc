/**
 * Layer 2: what a partner app adds to a Layer-1 event — where to buy tickets, the price range and how many are
 * left. It sits beside the event's own facts with the partner's name on it and never changes them.
 */
import type { Problem } from './event-details';

export const AVAILABILITIES = ['AVAILABLE', 'LIMITED', 'SOLD_OUT', 'UNKNOWN'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

/** The API-key scope a partner app needs to enrich events. */
export const ENRICH_SCOPE = 'events:enrich';

export interface EnrichmentInput {
  ticketUrl?: string | null;
  priceMin?: number | null;
  priceMax?: number | null;
  currency?: string | null;
  availability?: Availability | null;
}

const CURRENCY = /^[A-Z]{3}$/;
const MAX_URL = 2000;
/** minor units fit PostgreSQL's integer */
const MAX_PRICE = 2_147_483_647;

function ticketUrlProblem(value: string): string | null {
  if (value.length > MAX_URL) return `at most ${MAX_URL} characters`;
  try {
    const url = new URL(value);
    // tickets are paid for: never over plain http, never a script or data URL
    if (url.protocol !== 'https:') return 'must be an https URL';
    if (url.username || url.password) return 'must not carry credentials';
    return null;
  } catch {
    return 'must be an https URL';
  }
}

/**
 * Problems with an enrichment, in a fixed order: ticket URL (https), prices (whole minor units, 0 or more,
 * min ≤ max), currency (ISO 4217, needed with a price), availability (one of AVAILABILITIES).
 */
export function enrichmentProblems(input: EnrichmentInput): Problem[] {
  const problems: Problem[] = [];
  if (input.ticketUrl != null) {
    const problem = ticketUrlProblem(input.ticketUrl);
    if (problem) problems.push({ field: 'ticketUrl', message: problem });
  }
  for (const field of ['priceMin', 'priceMax'] as const) {
    const value = input[field];
    if (value != null && (!Number.isInteger(value) || value < 0 || value > MAX_PRICE))
      problems.push({ field, message: 'must be a whole number of minor units, 0 or more' });
  }
  const { priceMin, priceMax, currency } = input;
  if (priceMin != null && priceMax != null && priceMax < priceMin)
    problems.push({ field: 'priceMax', message: 'must not be below priceMin' });
  const hasPrice = priceMin != null || priceMax != null;
  if (currency != null && !CURRENCY.test(currency))
    problems.push({ field: 'currency', message: 'must be an ISO 4217 code such as EUR' });
  else if (hasPrice && currency == null)
    problems.push({ field: 'currency', message: 'an ISO 4217 code such as EUR is needed with a price' });
  if (input.availability != null && !(AVAILABILITIES as readonly string[]).includes(input.availability))
    problems.push({ field: 'availability', message: `one of ${AVAILABILITIES.join(', ')}` });
  if (input.ticketUrl == null && !hasPrice && (input.availability ?? 'UNKNOWN') === 'UNKNOWN')
    problems.push({ field: 'ticketUrl', message: 'give a ticket URL, a price or an availability' });
  return problems;
}

/**
 * Which events a partner may enrich: Layer-1 events (origin SOURCE) the public can see. Organisations' and users'
 * events have owners who say their own ticketing; `reason` is the code's extension.
 */
export function enrichableProblem(event: { origin: string; status: string }): 'NOT_SOURCE_EVENT' | 'EVENT_NOT_PUBLIC' | null {
  if (event.origin !== 'SOURCE') return 'NOT_SOURCE_EVENT';
  if (event.status === 'ARCHIVED' || event.status === 'DRAFT') return 'EVENT_NOT_PUBLIC';
  return null;
}
