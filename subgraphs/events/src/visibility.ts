import { can, isPlatformService, readableOrganizations, type Principal } from '@eventgraph/runtime';
import { PUBLIC_STATUSES, type EventStatus } from './domain/event-lifecycle';
import type { Prisma } from './generated/prisma/client';

/** What visibility looks at: an event row, or the summary a bus event carries. */
export interface EventAudience {
  status: string;
  organizationId: string | null;
  ownerUserId?: string | null;
  visibility?: string | null;
  categories?: string[];
}

/** The signed-in user behind a principal (API keys, devices and services are not users). */
export const userOf = (principal: Principal): string | null => (principal.kind === 'user' ? (principal.id ?? null) : null);

/**
 * What a white-label partner key may show: its app's organisations, categories and visibilities. Users' own
 * events belong to no organisation, so partners never show them.
 */
export function withinWhiteLabel(principal: Principal, event: EventAudience): boolean {
  const grant = principal.whiteLabel;
  if (!grant) return true;
  if (!event.organizationId || !grant.organizationIds.includes(event.organizationId)) return false;
  if (!grant.visibilities.includes(event.visibility ?? 'PUBLIC')) return false;
  // an event whose categories are not known here (a bus payload) is not shown to a category-limited partner
  return grant.categories.length === 0 || (event.categories ?? []).some((c) => grant.categories.includes(c));
}

/**
 * Who sees an event: its organisation (or, for a user's own event, its owner) always; everyone else once it
 * is published and PUBLIC, or UNLISTED when they ask for it directly (by id, by link, through a reference)
 * rather than through a list. A user's FRIENDS event is seen by the owner's friends (mutual follows: `friends`
 * holds the caller's); PRIVATE ones, and an organisation's FRIENDS ones, by their owner only.
 * A white-label partner key shows only what its partner app allows.
 */
export function canSeeEvent(
  principal: Principal,
  event: EventAudience,
  how: { direct?: boolean; friends?: ReadonlySet<string> } = {},
): boolean {
  if (!withinWhiteLabel(principal, event)) return false;
  if (event.ownerUserId) {
    if (isPlatformService(principal) || userOf(principal) === event.ownerUserId) return true;
  } else if (event.organizationId && can(principal, 'organization.read', event.organizationId)) return true;
  if (!PUBLIC_STATUSES.includes(event.status as EventStatus)) return false;
  switch (event.visibility ?? 'PUBLIC') {
    case 'PUBLIC':
      return true;
    case 'UNLISTED':
      return how.direct === true;
    case 'FRIENDS':
      return Boolean(event.ownerUserId && how.friends?.has(event.ownerUserId));
    default:
      return false;
  }
}

/**
 * Who reads an event's organiser contact (a name, an e-mail address, a phone number: personal data), on top of
 * canSeeEvent: callers who say who they are — signed-in users, API keys (a partner site shows it to its visitors
 * under its own terms), devices, the platform. Anonymous callers see the event without it, so crawlers cannot
 * collect addresses from public events, and neither do public calendar feeds (rendered as anonymous).
 */
export const canSeeOrganizerContact = (principal: Principal): boolean => principal.kind !== 'anonymous';

/** canSeeEvent for a list, as a database filter (`friends`: the caller's friends). */
export function visibleEventsWhere(principal: Principal, friends: Iterable<string> = []): Prisma.EventWhereInput {
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
  const published = { status: { in: [...PUBLIC_STATUSES] } };
  const seen: Prisma.EventWhereInput[] = [{ ...published, visibility: 'PUBLIC' }];
  if (readable.length) seen.push({ organizationId: { in: readable } });
  const me = userOf(principal);
  if (me) seen.push({ ownerUserId: me });
  const friendIds = [...friends];
  if (friendIds.length) seen.push({ ...published, visibility: 'FRIENDS', ownerUserId: { in: friendIds } });
  return { AND: [shown, { OR: seen }] };
}

/**
 * In a user's own views, an event one of their own events stands in for is left out (the own event is listed
 * instead: see domain/own-events.ts). Everyone else still sees it.
 */
export function notReplacedWhere(principal: Principal): Prisma.EventWhereInput {
  const me = userOf(principal);
  return me ? { replacedBy: { none: { ownerUserId: me } } } : {};
}

/** What a list shows the caller: what they may see, without what their own events replace. */
export const listedEventsWhere = (principal: Principal, friends: Iterable<string> = []): Prisma.EventWhereInput => ({
  AND: [visibleEventsWhere(principal, friends), notReplacedWhere(principal)],
});
