import { can, DomainError, ErrorCode, requireAuthenticated, type Principal } from '@eventgraph/runtime';
import { ownsSale, type SaleRow, type SalesParty } from '../domain/sales-channel';

/**
 * Who buys: a signed-in user, or a partner app acting for its own customers (any of its API keys: a rotated
 * key keeps the app's holds and bookings), or a platform service. A partner key acting for a user who granted
 * it TICKETS_BUY (`actingFor`, checked by the gateway) buys as that user: the holds, bookings and waitlist places
 * are the user's own, one place in a line per user rather than one per app. What a partner app buys records the
 * app (`soldThroughAppId`); acting for a user, it sees and changes only those sales of the user's
 * (src/domain/sales-channel.ts). Scanner devices do not buy. The organisation sees its sales besides (`sales.read`).
 */
export type Buyer = SalesParty;

export function buyerOf(principal: Principal): Buyer {
  requireAuthenticated(principal);
  if (principal.kind === 'user' && principal.id) return direct('user', principal.id);
  if (principal.kind === 'apiKey' && principal.id) {
    const appId = principal.partnerAppId ?? principal.id;
    if (principal.actingFor?.scopes.includes('TICKETS_BUY'))
      return { kind: 'user', id: principal.actingFor.userId, soldThroughAppId: appId, onlyThroughAppId: appId };
    // its own customers' sales are all the app's, as buyer
    return { kind: 'partnerApp', id: appId, soldThroughAppId: appId, onlyThroughAppId: null };
  }
  if (principal.kind === 'service' && principal.id) return direct('service', principal.id);
  throw new DomainError(ErrorCode.FORBIDDEN, 'only a signed-in user or a partner app can hold and book tickets');
}

const direct = (kind: Buyer['kind'], id: string): Buyer => ({ kind, id, soldThroughAppId: null, onlyThroughAppId: null });

/** The buyer the caller is, or null for callers that never buy (anonymous, devices). */
export function buyerOrNull(principal: Principal): Buyer | null {
  try {
    return buyerOf(principal);
  } catch {
    return null;
  }
}

/** Is this hold, booking or waitlist entry the caller's own (acting for a user: sold through the caller's app)? */
export const isBuyer = (principal: Principal, row: SaleRow) => {
  const buyer = buyerOrNull(principal);
  return !!buyer && ownsSale(buyer, row);
};

/**
 * May this caller buy for events of `organizationId`? Users and services anywhere; a partner app for its own
 * organisation and those its white-label configuration shows.
 */
export function mayBuyFrom(principal: Principal, organizationId: string): boolean {
  // a partner acting for a user still sells only where it may
  if (principal.kind !== 'apiKey') return true;
  return can(principal, 'organization.read', organizationId) || !!principal.whiteLabel?.organizationIds.includes(organizationId);
}
