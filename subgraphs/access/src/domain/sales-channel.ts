/**
 * Sales channels: which partner app sold a hold, booking or waitlist place (`soldThroughAppId`, null for a direct
 * sale), and which of a buyer's sales a caller may see and change. A buyer sees all their own sales, except a
 * partner app acting for a user: it is that user only for the sales it made itself, so an app learns nothing of
 * what the user bought directly or through another app. Pure: src/sales/buyer.ts names the caller, the queries
 * filter by `ownSalesWhere` in SQL (before paging, not after).
 */
export interface SalesParty {
  kind: 'user' | 'partnerApp' | 'service';
  id: string;
  /** the partner app recorded on what this caller buys; null when it buys directly */
  soldThroughAppId: string | null;
  /** set for a partner app acting for a user: only the sales through this app are the caller's */
  onlyThroughAppId: string | null;
}

/** A hold, booking or waitlist entry as far as ownership goes. */
export interface SaleRow {
  buyerKind: string;
  buyerId: string;
  soldThroughAppId: string | null;
}

/** Does this sale belong to the caller: their own as buyer, and (acting for a user) sold through their app? */
export function ownsSale(party: SalesParty, row: SaleRow): boolean {
  if (row.buyerKind !== party.kind || row.buyerId !== party.id) return false;
  return party.onlyThroughAppId === null || row.soldThroughAppId === party.onlyThroughAppId;
}

/** The same rule as a filter over the buyer's columns (Prisma's `where`, or the parameters of a raw query). */
export function ownSalesWhere(party: SalesParty): { buyerKind: string; buyerId: string; soldThroughAppId?: string } {
  const where = { buyerKind: party.kind, buyerId: party.id };
  return party.onlyThroughAppId === null ? where : { ...where, soldThroughAppId: party.onlyThroughAppId };
}

/** How organisations read a sale's channel: DIRECT, or PARTNER_APP (with the app's id beside it). */
export type SalesChannel = 'DIRECT' | 'PARTNER_APP';
export const channelOf = (row: Pick<SaleRow, 'soldThroughAppId'>): SalesChannel =>
  row.soldThroughAppId === null ? 'DIRECT' : 'PARTNER_APP';

/** An organisation's filter of its sales by channel and/or app (both given: they must agree, or nothing matches). */
export function channelWhere(
  channel: SalesChannel | null | undefined,
  appId: string | null | undefined,
): { soldThroughAppId?: string | null | { not: null } } | { soldThroughAppId: { in: [] } } {
  if (appId) return channel === 'DIRECT' ? { soldThroughAppId: { in: [] } } : { soldThroughAppId: appId };
  if (channel === 'DIRECT') return { soldThroughAppId: null };
  if (channel === 'PARTNER_APP') return { soldThroughAppId: { not: null } };
  return {};
}
