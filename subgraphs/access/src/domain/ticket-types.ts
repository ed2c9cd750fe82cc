import { currencyCode } from './currencies';
import { checkCategory, MAX_CAPACITY, normalizeCategory, type Problem } from './series-rules';

/**
 * What a ticket type is allowed to be, and when it sells. Pure: the schema gathers the facts (the event's
 * status, the venue's capacity, the other types' quantities) and turns a problem into its error.
 */
export const TICKET_TYPE_VISIBILITIES = ['PUBLIC', 'HIDDEN'] as const;
export type TicketTypeVisibility = (typeof TICKET_TYPE_VISIBILITIES)[number];

/** The highest price in minor units: with at most MAX_TICKETS_PER_ORDER tickets an order's total stays in an int. */
export const MAX_PRICE_MINOR = 10_000_000;
/** The most tickets one order (one hold) may take, over all its types. */
export const MAX_TICKETS_PER_ORDER = 100;
export const MAX_CATEGORIES = 10;
/** The source of tickets sold here (imported tickets carry their ticketing system's name, never this one). */
export const OWN_TICKET_SOURCE = 'eventgraph';
/** An event sells only while it is ON_SALE: PAUSED (or anything else) stops holds and confirmations alike. */
export const SELLING_STATUS = 'ON_SALE';

export interface TicketTypeSettings {
  name: string;
  priceMinor: number;
  currency: string;
  quantity: number;
  salesStartAt: Date | null;
  salesEndAt: Date | null;
  maxPerOrder: number;
  visibility: TicketTypeVisibility;
  accessCode: string | null;
  categories: string[];
}

const badInput = (field: string, message: string): Problem => ({
  code: 'BAD_USER_INPUT',
  field,
  message: `${field}: ${message}`,
});
const ACCESS_CODE = /^[A-Za-z0-9_-]{4,64}$/;

/**
 * The settings as stored (name trimmed, currency and categories upper-cased), or the first problem, in the
 * order of the fields. `taken` is what is sold or held already: the quantity may not go below it.
 */
export function normalizeTicketType(input: TicketTypeSettings, taken = 0): TicketTypeSettings | Problem {
  const name = input.name.trim();
  if (!name) return badInput('name', 'must not be empty');
  if (name.length > 100) return badInput('name', 'must be at most 100 characters');
  if (!Number.isInteger(input.priceMinor) || input.priceMinor < 0 || input.priceMinor > MAX_PRICE_MINOR)
    return badInput('priceMinor', `must be a whole number of minor units from 0 to ${MAX_PRICE_MINOR.toLocaleString('en-US')}`);
  const currency = currencyCode(input.currency);
  if (!currency) return badInput('currency', `${JSON.stringify(input.currency)} is not an ISO 4217 currency code such as EUR`);
  if (!Number.isInteger(input.quantity) || input.quantity < 0 || input.quantity > MAX_CAPACITY)
    return badInput('quantity', `must be a whole number from 0 to ${MAX_CAPACITY.toLocaleString('en-US')}`);
  if (input.quantity < taken) return badInput('quantity', `must be at least ${taken}: that many are sold or held`);
  if (input.salesStartAt && input.salesEndAt && input.salesEndAt <= input.salesStartAt)
    return badInput('salesEndAt', 'must be after salesStartAt');
  if (!Number.isInteger(input.maxPerOrder) || input.maxPerOrder < 1 || input.maxPerOrder > MAX_TICKETS_PER_ORDER)
    return badInput('maxPerOrder', `must be a whole number from 1 to ${MAX_TICKETS_PER_ORDER}`);
  const accessCode = input.accessCode?.trim() || null;
  if (input.visibility === 'HIDDEN' && !accessCode) return badInput('accessCode', 'a HIDDEN ticket type needs an access code');
  if (input.visibility === 'PUBLIC' && accessCode) return badInput('accessCode', 'only a HIDDEN ticket type has an access code');
  if (accessCode && !ACCESS_CODE.test(accessCode))
    return badInput('accessCode', 'use 4–64 letters, digits, hyphens and underscores');
  const categories = [...new Set(input.categories.map(normalizeCategory))];
  if (categories.length === 0) return badInput('categories', 'name at least one category (GA, VIP, …)');
  if (categories.length > MAX_CATEGORIES) return badInput('categories', `at most ${MAX_CATEGORIES} categories`);
  for (const [i, category] of categories.entries()) {
    const problem = checkCategory(`categories[${i}]`, category);
    if (problem) return problem;
  }
  return { ...input, name, currency, accessCode, categories };
}

export const isProblem = (value: object): value is Problem => 'code' in value && 'message' in value;

/**
 * The tickets on sale for one event may not add up to more than its venue holds. `maxCapacity` 0 is a venue
 * whose capacity was never stated (events' default), which bounds nothing; so is an unknown venue (null).
 */
export function inventoryProblem(maxCapacity: number | null, total: number): Problem | null {
  if (!maxCapacity || total <= maxCapacity) return null;
  return {
    code: 'INVENTORY_OVER_CAPACITY',
    field: 'quantity',
    message: `quantity: the event's ticket types would add up to ${total} tickets, more than its venue's capacity of ${maxCapacity}`,
    details: { maxCapacity, total },
  };
}

export interface SalesFacts {
  eventStatus: string;
  salesStartAt: Date | null;
  salesEndAt: Date | null;
  name: string;
}

/** Why a ticket type does not sell at `now` (SALES_CLOSED with a reason), or null while it sells. */
export function salesProblem(facts: SalesFacts, now: Date): Problem | null {
  const closed = (reason: string, message: string): Problem => ({
    code: 'SALES_CLOSED',
    message,
    details: { reason },
  });
  if (facts.eventStatus !== SELLING_STATUS)
    return closed('EVENT_NOT_ON_SALE', `the event is not on sale (it is ${facts.eventStatus})`);
  if (facts.salesStartAt && now < facts.salesStartAt)
    return closed('NOT_STARTED', `sales of ${facts.name} open at ${facts.salesStartAt.toISOString()}`);
  if (facts.salesEndAt && now >= facts.salesEndAt)
    return closed('ENDED', `sales of ${facts.name} ended at ${facts.salesEndAt.toISOString()}`);
  return null;
}

/** Is the type offered to a buyer who gave `accessCode`? Public ones always; hidden ones only with their code. */
export const offeredTo = (type: { visibility: string; accessCode: string | null }, accessCode: string | null | undefined) =>
  type.visibility === 'PUBLIC' || (!!accessCode && accessCode.trim() === type.accessCode);
