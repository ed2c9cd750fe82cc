import { can, readableOrganizations, type Principal } from '@eventgraph/runtime';
import { PUBLIC_STATUSES, type EventStatus } from './domain/event-lifecycle';
import type { Prisma } from './generated/prisma/client';

/**
 * Who sees an event: its organisation always; everyone else once it is published and PUBLIC, or UNLISTED
 * when they ask for it directly (by id, by link, through a reference) rather than through a list.
 * A white-label partner key shows only the organisations its partner app allows.
 */
export function canSeeEvent(
  principal: Principal,
  event: { status: string; organizationId: string; visibility?: string | null },
  how: { direct?: boolean } = {},
): boolean {
  if (principal.showOrganizationIds && !principal.showOrganizationIds.includes(event.organizationId)) return false;
  if (can(principal, 'organization.read', event.organizationId)) return true;
  const visibility = event.visibility ?? 'PUBLIC';
  return (
    PUBLIC_STATUSES.includes(event.status as EventStatus) &&
    (visibility === 'PUBLIC' || (visibility === 'UNLISTED' && how.direct === true))
  );
}

/** The same rule as a database filter, for lists. */
export function visibleEventsWhere(principal: Principal): Prisma.EventWhereInput {
  const readable = readableOrganizations(principal);
  const shown: Prisma.EventWhereInput = principal.showOrganizationIds
    ? { organizationId: { in: principal.showOrganizationIds } }
    : {};
  if (readable === 'all') return shown;
  const listedPublicly: Prisma.EventWhereInput = { status: { in: [...PUBLIC_STATUSES] }, visibility: 'PUBLIC' };
  return { AND: [shown, { OR: [listedPublicly, { organizationId: { in: readable } }] }] };
}
