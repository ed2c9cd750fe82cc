import { isAtLeast, ROLES } from '@eventgraph/runtime';
import { canAssignRole } from '../src/domain/roles';

describe('the role hierarchy', () => {
  it('orders owner > admin > manager > member > viewer', () => {
    for (let i = 0; i < ROLES.length; i++) {
      for (let j = 0; j < ROLES.length; j++) expect(isAtLeast(ROLES[i]!, ROLES[j]!)).toBe(i <= j);
    }
  });

  it('lets owners give any role and admins only roles below admin', () => {
    for (const role of ROLES) expect(canAssignRole('OWNER', role)).toBe(true);
    expect(canAssignRole('ADMIN', 'MANAGER')).toBe(true);
    expect(canAssignRole('ADMIN', 'VIEWER')).toBe(true);
    expect(canAssignRole('ADMIN', 'ADMIN')).toBe(false);
    expect(canAssignRole('ADMIN', 'OWNER')).toBe(false);
  });

  it('gives managers, members and viewers no say over roles', () => {
    for (const actor of ['MANAGER', 'MEMBER', 'VIEWER'] as const) {
      for (const role of ROLES) expect(canAssignRole(actor, role)).toBe(false);
    }
  });
});
