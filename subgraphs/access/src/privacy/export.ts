import type { AccessDb } from '../context';
import { USER_BUYER_KIND } from '../domain/privacy';

/**
 * What access holds about a person, for their data export: their holds, bookings with their tickets (codes
 * included: they are the person's own), and waitlist entries, as buyer, each with the partner app that sold it
 * (`soldThroughAppId`, null when they bought it themselves).
 */
export async function accessPartOfExport(db: AccessDb, userId: string): Promise<Record<string, unknown>> {
  const buyer = { buyerKind: USER_BUYER_KIND, buyerId: userId };
  const [holds, bookings, waitlistEntries] = await Promise.all([
    db.hold.findMany({
      where: buyer,
      select: { id: true, eventId: true, status: true, expiresAt: true, createdAt: true, soldThroughAppId: true, items: true },
      orderBy: { createdAt: 'asc' },
    }),
    db.booking.findMany({
      where: buyer,
      select: {
        id: true,
        eventId: true,
        organizationId: true,
        status: true,
        paymentStatus: true,
        totalMinor: true,
        currency: true,
        createdAt: true,
        cancelledAt: true,
        soldThroughAppId: true,
        tickets: {
          select: { id: true, code: true, category: true, status: true, ticketTypeId: true, holderName: true, holderEmail: true },
        },
      },
      orderBy: { createdAt: 'asc' },
    }),
    db.waitlistEntry.findMany({
      where: buyer,
      select: {
        id: true,
        eventId: true,
        ticketTypeId: true,
        quantity: true,
        status: true,
        joinedAt: true,
        offeredAt: true,
        endedAt: true,
        soldThroughAppId: true,
      },
      orderBy: { joinedAt: 'asc' },
    }),
  ]);
  return { holds, bookings, waitlistEntries };
}
