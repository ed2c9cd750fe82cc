import { can, readableOrganizations, type Principal } from '@eventgraph/runtime';
import { PUBLIC_STATUSES, type EventStatus } from './domain/event-lifecycle';
import type { Prisma } from './generated/prisma/client';

/** What a white-label partner key may show: its app's organisations, categories and visibilities. */
export function withinWhiteLabel(
  principal: Principal,
  event: { organizationId: string; visibility?: string | null; categories?: string[] },
): boolean {
  const grant = principal.whiteLabel;
  if (!grant) return true;
  if (!grant.organizationIds.includes(event.organizationId)) return false;
  if (!grant.visibilities.includes(event.visibility ?? 'PUBLIC')) return false;
  // an event whose categories are not known here (a bus payload) is not shown to a category-limited partner
  return grant.categories.length === 0 || (event.categories ?? []).some((c) => grant.categories.includes(c));
}

/**
 * Who sees an event: its organisation always; everyone else once it is published and PUBLIC, or UNLISTED
 * when they ask for it directly (by id, by link, through a reference) rather than through a list.
 * A white-label partner key shows only what its partner app allows.
 */
export function canSeeEvent(
  principal: Principal,
  event: { status: string; organizationId: string; visibility?: string | null; categories?: string[] },
  how: { direct?: boolean } = {},
): boolean {
  if (!withinWhiteLabel(principal, event)) return false;
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
  const grant = principal.whiteLabel;
  const shown: Prisma.EventWhereInput = grant
    ? {
        organizationId: { in: grant.organizationIds },
        visibility: { in: grant.visibilities as Prisma.EnumVisibilityFilter['in'] },
        ...(grant.categories.length ? { categories: { hasSome: grant.categories } } : {}),
      }
    : {};
  if (readable === 'all') return shown;
  const listedPublicly: Prisma.EventWhereInput = { status: { in: [...PUBLIC_STATUSES] }, visibility: 'PUBLIC' };
  return { AND: [shown, { OR: [listedPublicly, { organizationId: { in: readable } }] }] };
}
