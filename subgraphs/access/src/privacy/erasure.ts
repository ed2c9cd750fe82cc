import { consumeUserDeletions, type ErasureCounts, type UserDeletion } from '@eventgraph/runtime';
import type { AccessDb, AccessTx } from '../context';
import { comparableEmail, erasedBuyerId, USER_BUYER_KIND } from '../domain/privacy';

/** Anonymises what access holds about a deleted user (see domain/privacy.ts), in the consumer's transaction. */
export async function eraseUser(tx: AccessTx, { userId, receiptId, email }: UserDeletion): Promise<ErasureCounts> {
  const buyer = { buyerKind: USER_BUYER_KIND, buyerId: userId };
  const erasedBuyer = { buyerId: erasedBuyerId(receiptId) };
  const bookings = await tx.booking.findMany({ where: buyer, select: { id: true } });
  const holdersOfBookings = await tx.ticket.updateMany({
    where: {
      bookingId: { in: bookings.map((b) => b.id) },
      OR: [{ holderName: { not: null } }, { holderEmail: { not: null } }],
    },
    data: { holderName: null, holderEmail: null },
  });
  // imported tickets name their holder by address only
  const holdersByEmail = email
    ? await tx.$executeRawUnsafe(
        `UPDATE "Ticket" SET "holderName" = NULL, "holderEmail" = NULL, "updatedAt" = now()
         WHERE lower(btrim("holderEmail")) = $1`,
        comparableEmail(email),
      )
    : 0;
  // still waiting: out of the line, so no one waits behind a person who is gone (their type's row first, the order
  // settleWaitlist locks in); an open offer runs out and passes on as usual
  const waiting = await tx.waitlistEntry.findMany({
    where: { ...buyer, status: 'WAITING' },
    select: { id: true, ticketTypeId: true },
  });
  let leftLine = 0;
  for (const entry of waiting) {
    await tx.$queryRawUnsafe(`SELECT 1 FROM "TicketType" WHERE id = $1::uuid FOR UPDATE`, entry.ticketTypeId);
    const left = await tx.$executeRawUnsafe(
      `UPDATE "WaitlistEntry" SET status = 'LEFT', "endedAt" = now() WHERE id = $1::uuid AND status = 'WAITING'`,
      entry.id,
    );
    if (left === 1)
      await tx.$executeRawUnsafe(`UPDATE "TicketType" SET waiting = waiting - 1 WHERE id = $1::uuid`, entry.ticketTypeId);
    leftLine += left;
  }
  return {
    waitlistLeft: leftLine,
    bookings: (await tx.booking.updateMany({ where: buyer, data: erasedBuyer })).count,
    holds: (await tx.hold.updateMany({ where: buyer, data: erasedBuyer })).count,
    waitlistEntries: (await tx.waitlistEntry.updateMany({ where: buyer, data: erasedBuyer })).count,
    ticketHolders: holdersOfBookings.count + holdersByEmail,
  };
}

export const eraseDeletedUsers = consumeUserDeletions<AccessDb, AccessTx>('access', eraseUser);
