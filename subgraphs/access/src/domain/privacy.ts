/**
 * Privacy rules of the access subgraph (issue 15). About a user it holds: holds, bookings and waitlist entries
 * under the user as buyer, and the holder name and email on tickets. When the account is deleted the
 * organisation keeps its sales (bookings, tickets, amounts, payment status: its accounts need them), but they
 * no longer point at the person: the buyer becomes an erased buyer of that receipt, and ticket holder names and
 * emails of the user's bookings, or naming the user's address, are blanked.
 */
export const USER_BUYER_KIND = 'user';

/** The buyer id erased records carry instead of the user's: one per erasure, so a buyer's client keys stay unique. */
export const erasedBuyerId = (receiptId: string) => `erased:${receiptId}`;

/** Addresses are compared as users stores them: trimmed and lower-cased. */
export const comparableEmail = (email: string) => email.trim().toLowerCase();
