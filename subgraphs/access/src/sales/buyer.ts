import { can, DomainError, ErrorCode, requireAuthenticated, type Principal } from '@eventgraph/runtime';

/**
 * Who buys: a signed-in user, or a partner app acting for its own customers (any of its API keys: a rotated
 * key keeps the app's holds and bookings), or a platform service. A partner key acting for a user who granted
 * it TICKETS_BUY (`actingFor`, checked by the gateway) buys as that user: the holds, bookings and waitlist places
 * are the user's own, one place in a line per user rather than one per app. Scanner devices do not buy. Holds and
 * bookings belong to their buyer; the organisation sees its sales besides (`sales.read`).
 */
export interface Buyer {
  kind: 'user' | 'partnerApp' | 'service';
  id: string;
}

export function buyerOf(principal: Principal): Buyer {
  requireAuthenticated(principal);
  if (principal.kind === 'user' && principal.id) return { kind: 'user', id: principal.id };
  if (principal.kind === 'apiKey' && principal.id) {
    if (principal.actingFor?.scopes.includes('TICKETS_BUY')) return { kind: 'user', id: principal.actingFor.userId };
    return { kind: 'partnerApp', id: principal.partnerAppId ?? principal.id };
  }
  if (principal.kind === 'service' && principal.id) return { kind: 'service', id: principal.id };
  throw new DomainError(ErrorCode.FORBIDDEN, 'only a signed-in user or a partner app can hold and book tickets');
}

/** The buyer the caller is, or null for callers that never buy (anonymous, devices). */
export function buyerOrNull(principal: Principal): Buyer | null {
  try {
    return buyerOf(principal);
  } catch {
    return null;
  }
}

export const isBuyer = (principal: Principal, row: { buyerKind: string; buyerId: string }) => {
  const buyer = buyerOrNull(principal);
  return !!buyer && buyer.kind === row.buyerKind && buyer.id === row.buyerId;
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
