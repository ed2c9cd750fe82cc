import { can, readableOrganizations, type Principal } from '@eventgraph/runtime';
import { PUBLIC_STATUSES, type EventStatus } from './domain/event-lifecycle';
import type { Prisma } from './generated/prisma/client';

/**
 * Published events are public; drafts and archived events only to those who may read their organisation.
 * A white-label partner key shows only the organisations its partner app allows.
 */
export const canSeeEvent = (principal: Principal, event: { status: string; organizationId: string }) =>
  (!principal.showOrganizationIds || principal.showOrganizationIds.includes(event.organizationId)) &&
  (PUBLIC_STATUSES.includes(event.status as EventStatus) || can(principal, 'organization.read', event.organizationId));

/** The same rule as a database filter, for lists. */
export function visibleEventsWhere(principal: Principal): Prisma.EventWhereInput {
  const readable = readableOrganizations(principal);
  const shown: Prisma.EventWhereInput = principal.showOrganizationIds ? { organizationId: { in: principal.showOrganizationIds } } : {};
  if (readable === 'all') return shown;
  return { AND: [shown, { OR: [{ status: { in: [...PUBLIC_STATUSES] } }, { organizationId: { in: readable } }] }] };
}
