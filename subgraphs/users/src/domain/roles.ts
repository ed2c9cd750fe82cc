import { isAtLeast, type Role } from '@eventgraph/runtime';

/**
 * Who may give a member a role: owners any role; admins roles below admin;
 * nobody else manages members. (The hierarchy itself is platform-wide: runtime's ROLES.)
 */
export function canAssignRole(actor: Role, target: Role): boolean {
  if (actor === 'OWNER') return true;
  if (actor === 'ADMIN') return !isAtLeast(target, 'ADMIN');
  return false;
}
