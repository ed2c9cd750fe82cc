import {
  can,
  conflict,
  DomainError,
  requireAuthenticated,
  requirePermission,
  requireText,
  type Principal,
} from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { MAX_NFC_ID } from '../domain/import-rows';
import type { Ticket } from '../generated/prisma/client';

const unknownCode = () => new DomainError('NOT_FOUND', 'no ticket has this code', { field: 'code' });

/** A ticket by its code, for staff of its organisation; another organisation's code is unknown, like a wrong one. */
async function ticketByCode(ctx: AccessContext, principal: Principal, code: string): Promise<Ticket> {
  requireAuthenticated(principal);
  const ticket = await ctx.db.ticket.findUnique({ where: { code: requireText('code', code, 64) } });
  if (!ticket || !can(principal, 'organization.read', ticket.organizationId)) throw unknownCode();
  requirePermission(principal, 'wristbands.assign', ticket.organizationId);
  return ticket;
}

/**
 * At the wristband desk: a sold ticket (by its code) is linked to a wristband (by its nfc id), which is created
 * ACTIVE in the ticket's category if the event has none (as ticket imports do), and the wristband is assigned to
 * every series the ticket admits to, so it opens their gates. Linking again to the same wristband changes
 * nothing; a ticket already on another wristband is CONFLICT, a cancelled one TICKET_CANCELLED.
 */
export async function linkTicketToWristband(ctx: AccessContext, code: string, nfcIdGiven: string): Promise<Ticket> {
  const found = await ticketByCode(ctx, ctx.principal, code);
  const nfcId = requireText('nfcId', nfcIdGiven, MAX_NFC_ID);
  return ctx.transact(async (tx, announce) => {
    // the ticket's row locked: two desks linking it at once are decided one after the other
    await tx.$queryRawUnsafe('SELECT 1 FROM "Ticket" WHERE id = $1::uuid FOR UPDATE', found.id);
    const ticket = (await tx.ticket.findUnique({ where: { id: found.id } }))!;
    if (ticket.status !== 'VALID')
      throw new DomainError('TICKET_CANCELLED', 'the ticket was cancelled: it admits no one', { field: 'code' });
    let wristband = await tx.wristband.findUnique({ where: { eventId_nfcId: { eventId: ticket.eventId, nfcId } } });
    if (ticket.wristbandId && ticket.wristbandId !== wristband?.id)
      throw conflict('the ticket is linked to another wristband already', { field: 'code' });
    if (wristband && wristband.status !== 'ACTIVE')
      throw conflict(`the wristband is ${wristband.status}: link the ticket to an active one`, {
        field: 'nfcId',
        wristbandStatus: wristband.status,
      });
    if (!wristband) {
      wristband = await tx.wristband.create({
        data: { organizationId: ticket.organizationId, eventId: ticket.eventId, nfcId, category: ticket.category },
      });
      await announce('wristband.created', {
        wristbandId: wristband.id,
        eventId: ticket.eventId,
        organizationId: ticket.organizationId,
      });
    }
    const wristbandId = wristband.id;
    for (const { seriesId } of await tx.ticketSeries.findMany({ where: { ticketId: ticket.id } })) {
      const { count } = await tx.wristbandAssignment.createMany({ data: [{ wristbandId, seriesId }], skipDuplicates: true });
      if (count)
        await announce('wristbands.assigned', {
          seriesId,
          eventId: ticket.eventId,
          organizationId: ticket.organizationId,
          assigned: 1,
        });
    }
    return tx.ticket.update({ where: { id: ticket.id }, data: { wristbandId } });
  });
}
