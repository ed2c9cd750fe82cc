import { DomainError, ErrorCode } from './errors';
import type { Principal } from './principal';

/** The organisation role hierarchy, strongest first: each role can do what the roles after it can. */
export const ROLES = ['OWNER', 'ADMIN', 'MANAGER', 'MEMBER', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

const rank = (role: Role) => ROLES.length - ROLES.indexOf(role);
export const isAtLeast = (role: Role, required: Role) => rank(role) >= rank(required);

/**
 * What can be done to an organisation's data, and the least role that may do it.
 * owner: everything; admin: series, gates, categories, members below admin;
 * manager: create series, assign wristbands, manage events, sell tickets (ticket types,
 * bookings and their payment status); member: view series
 * and check-ins, scan; viewer: read only.
 */
export const PERMISSIONS = {
  'organization.read': 'VIEWER',
  'checkins.read': 'MEMBER',
  'checkins.scan': 'MEMBER',
  'events.write': 'MANAGER',
  'series.create': 'MANAGER',
  'wristbands.assign': 'MANAGER',
  'sales.read': 'MANAGER',
  'sales.manage': 'MANAGER',
  'series.manage': 'ADMIN',
  'gates.manage': 'ADMIN',
  'categories.manage': 'ADMIN',
  'members.manage': 'ADMIN',
  'integrations.manage': 'ADMIN',
  'organization.own': 'OWNER',
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof PERMISSIONS;

/** API key scopes, and the permissions each grants within the key's organisation. */
export const SCOPE_PERMISSIONS: Record<string, readonly Permission[]> = {
  'events:read': [],
  /** partner apps adding ticketing, prices and availability to Layer-1 events (events' enrichEvent) */
  'events:enrich': [],
  'org:read': ['organization.read', 'checkins.read', 'sales.read'],
  'org:write': ['organization.read', 'events.write', 'series.create', 'wristbands.assign', 'sales.read', 'sales.manage'],
  scan: ['organization.read', 'checkins.read', 'checkins.scan'],
};
export const SCOPES = Object.keys(SCOPE_PERMISSIONS);

/** Platform services (the gateway itself, the development credential) act for every organisation. */
export const isPlatformService = (principal: Principal) => principal.kind === 'service';

export function roleIn(principal: Principal, organizationId: string): Role | null {
  return (principal.memberships.find((m) => m.organizationId === organizationId)?.role as Role | undefined) ?? null;
}

/** May this caller do `permission` to the data of `organizationId`? */
export function can(principal: Principal, permission: Permission, organizationId: string): boolean {
  if (isPlatformService(principal)) return true;
  const role = roleIn(principal, organizationId);
  if (!role) return false;
  if (principal.kind === 'user') return isAtLeast(role, PERMISSIONS[permission]);
  // keys and devices carry a membership for their organisation; their scopes say what they may do there
  return principal.scopes.some((scope) => SCOPE_PERMISSIONS[scope]?.includes(permission));
}

/** The organisations whose data this caller may read, or 'all' for platform services. */
export function readableOrganizations(principal: Principal, permission: Permission = 'organization.read'): 'all' | string[] {
  if (isPlatformService(principal)) return 'all';
  return principal.memberships.map((m) => m.organizationId).filter((id) => can(principal, permission, id));
}

export function requireAuthenticated(principal: Principal): void {
  if (principal.kind === 'anonymous') throw new DomainError(ErrorCode.UNAUTHENTICATED, 'sign in to do this');
}

/** Throws UNAUTHENTICATED for anonymous callers and FORBIDDEN for everyone else who may not. */
export function requirePermission(principal: Principal, permission: Permission, organizationId: string): void {
  requireAuthenticated(principal);
  if (!can(principal, permission, organizationId)) {
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      `not allowed: ${permission} needs ${PERMISSIONS[permission].toLowerCase()} rights in this organisation`,
      {
        permission,
      },
    );
  }
}
