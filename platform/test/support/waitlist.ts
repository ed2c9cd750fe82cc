import { as, createOrganization, type Account } from './accounts';
import type { TestPlatform } from './test-platform';
import { eventOnSale, person } from './ticket-sales';

/** Helpers of the waitlist tests: a sale of one organisation, its people, and the calls a buyer makes. */
export const WAITLIST_Q = {
  createType: `mutation($input: CreateTicketTypeInput!) { createTicketType(input: $input) { id } }`,
  type: `query($id: ID!) { ticketType(id: $id) { id available sold held waiting } }`,
  hold: `mutation($input: CreateHoldInput!) { createHold(input: $input) { id } }`,
  release: `mutation($id: ID!) { releaseHold(id: $id) { status } }`,
  confirm: `mutation($holdId: ID!, $key: String!) { confirmHold(holdId: $holdId, clientKey: $key) { id tickets { code } } }`,
  cancel: `mutation($id: ID!) { cancelBooking(id: $id) { status } }`,
  join: `mutation($t: ID!, $q: Int!, $code: String) { joinWaitlist(ticketTypeId: $t, quantity: $q, accessCode: $code) {
    id status quantity position ahead offerExpiresAt offer { id status expiresAt } } }`,
  leave: `mutation($t: ID!) { leaveWaitlist(ticketTypeId: $t) { id status position } }`,
  mine: `query($status: WaitlistStatus) { myWaitlistEntries(first: 50, status: $status) { totalCount edges { node {
    id status quantity position ahead offerExpiresAt offer { id status } ticketType { id } } } } }`,
  line: `query($t: ID!, $status: WaitlistStatus, $after: String, $first: Int) { waitlist(ticketTypeId: $t, status: $status, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id status quantity position buyerId offerExpiresAt offer { id } } } } }`,
};

export interface Sale {
  platform: TestPlatform;
  org: string;
  event: string;
  people: Record<string, Account>;
}

/** An organisation (its owner and a manager) selling one event ON_SALE, and buyers with the given names. */
export async function startSale(platform: TestPlatform, buyers: string[]): Promise<Sale> {
  const people: Record<string, Account> = {};
  for (const name of ['owner', ...buyers]) people[name] = await person(platform, name);
  const org = await createOrganization(platform, people.owner!, `line-${Date.now().toString(36)}`);
  const sale: Sale = { platform, org, event: '', people };
  sale.event = await eventOnSale(platform, (query, variables) => ok(sale, 'owner', query, variables), org, 1000);
  return sale;
}

export async function call(sale: Sale, who: string, query: string, variables: Record<string, unknown> = {}) {
  if (who === 'anonymous') return (await sale.platform.request(query, variables, { token: null })).body;
  return (await as(sale.platform, sale.people[who]!)(query, variables)).body;
}

export async function ok(sale: Sale, who: string, query: string, variables: Record<string, unknown> = {}) {
  const body = await call(sale, who, query, variables);
  if (body.errors?.length) throw new Error(`${who}: ${JSON.stringify(body.errors)}`);
  return body.data as Record<string, any>;
}

/** The one error of a refused call (and nothing else came back). */
export async function refused(sale: Sale, who: string, query: string, variables: Record<string, unknown> = {}) {
  const body = await call(sale, who, query, variables);
  if (body.errors?.length !== 1) throw new Error(`${who}: expected one error, got ${JSON.stringify(body)}`);
  return body.errors[0]!;
}

let tag = 0;
/** A public type of the sale's event, `quantity` on sale, at most `maxPerOrder` per order. */
export const ticketType = (sale: Sale, quantity: number, extra: Record<string, unknown> = {}) =>
  ok(sale, 'owner', WAITLIST_Q.createType, {
    input: {
      eventId: sale.event,
      name: `Line ${tag++}`,
      priceMinor: 1000,
      currency: 'EUR',
      quantity,
      maxPerOrder: 4,
      categories: ['GA'],
      ...extra,
    },
  }).then((d) => d.createTicketType.id as string);

export const holdOf = (sale: Sale, who: string, ticketTypeId: string, quantity: number) =>
  call(sale, who, WAITLIST_Q.hold, { input: { eventId: sale.event, items: [{ ticketTypeId, quantity }] } });

export async function held(sale: Sale, who: string, ticketTypeId: string, quantity: number): Promise<string> {
  const body = await holdOf(sale, who, ticketTypeId, quantity);
  if (body.errors?.length) throw new Error(`${who}: ${JSON.stringify(body.errors)}`);
  return (body.data as { createHold: { id: string } }).createHold.id;
}

export const join = (sale: Sale, who: string, t: string, q: number) =>
  ok(sale, who, WAITLIST_Q.join, { t, q }).then((d) => d.joinWaitlist as Record<string, any>);

/** The caller's entry for the type (the newest). */
export const entryOf = async (sale: Sale, who: string, t: string) =>
  ((await ok(sale, who, WAITLIST_Q.mine)).myWaitlistEntries.edges as Array<{ node: Record<string, any> }>)
    .map((e) => e.node)
    .find((n) => n.ticketType.id === t);

export const typeState = async (sale: Sale, t: string) => (await ok(sale, 'owner', WAITLIST_Q.type, { id: t })).ticketType;

/** A hold's expiry moved into the past (the clock cannot be). */
export const expire = (sale: Sale, holdId: string) =>
  sale.platform.subgraphs.access!.sql.execute(`UPDATE "Hold" SET "expiresAt" = now() - interval '1 second' WHERE id = $1::uuid`, [
    holdId,
  ]);
