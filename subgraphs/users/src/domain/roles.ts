/**
 * The organisation role hierarchy: owner > admin > manager > member > viewer.
 * Each role can do everything the roles below it can.
 */
export const ROLES = ['OWNER', 'ADMIN', 'MANAGER', 'MEMBER', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

const rank = (role: Role) => ROLES.length - ROLES.indexOf(role);

export const isAtLeast = (role: Role, required: Role) => rank(role) >= rank(required);

/**
 * Who may give a member a role: owners any role; admins roles below admin;
 * nobody else manages members.
 */
export function canAssignRole(actor: Role, target: Role): boolean {
  if (actor === 'OWNER') return true;
  if (actor === 'ADMIN') return rank(target) < rank('ADMIN');
  return false;
}
