import { can, readableOrganizations, type Principal } from '@eventgraph/runtime';
import { PUBLIC_STATUSES, type EventStatus } from './domain/event-lifecycle';
import type { Prisma } from './generated/prisma/client';

/** Published events are public; drafts and archived events only to those who may read their organisation. */
export const canSeeEvent = (principal: Principal, event: { status: string; organizationId: string }) =>
  PUBLIC_STATUSES.includes(event.status as EventStatus) || can(principal, 'organization.read', event.organizationId);

/** The same rule as a database filter, for lists. */
export function visibleEventsWhere(principal: Principal): Prisma.EventWhereInput {
  const readable = readableOrganizations(principal);
  if (readable === 'all') return {};
  return { OR: [{ status: { in: [...PUBLIC_STATUSES] } }, { organizationId: { in: readable } }] };
}
