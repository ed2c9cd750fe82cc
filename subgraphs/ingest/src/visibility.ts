import { can, DomainError, ErrorCode, isPlatformService, type Principal } from '@eventgraph/runtime';

/** Platform-wide sources (no organisation) are public; an organisation's sources are its own data. */
export const canSeeSource = (principal: Principal, source: { organizationId: string | null }) =>
  source.organizationId === null || can(principal, 'organization.read', source.organizationId);

/** Running a source's fetches: the platform itself, or an admin of the source's organisation. */
export function requireSourceOperator(principal: Principal, source: { organizationId: string | null }): void {
  if (isPlatformService(principal)) return;
  if (source.organizationId && can(principal, 'integrations.manage', source.organizationId)) return;
  throw new DomainError(ErrorCode.FORBIDDEN, 'only the platform or an admin of the source’s organisation runs its fetches');
}
