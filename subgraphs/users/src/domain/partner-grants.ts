import {
  badInput,
  DELEGATED_SCOPES,
  DomainError,
  ErrorCode,
  notFound,
  requireAuthenticated,
  type DelegatedScope,
  type Principal,
} from '@eventgraph/runtime';

/**
 * Consent is a person's own: a signed-in user grants and revokes partner apps for themselves. An API key (also
 * one acting for a user), a device or a service never grants on a user's behalf.
 */
export function granterOf(principal: Principal): string {
  requireAuthenticated(principal);
  if (principal.kind === 'user' && principal.id) return principal.id;
  throw new DomainError(ErrorCode.FORBIDDEN, 'only a signed-in user lets a partner app act for them', {
    reason: 'NOT_A_USER',
  });
}

/** The scopes of a grant: at least one, each once, each one a user may delegate. */
export function grantScopes(scopes: readonly string[]): DelegatedScope[] {
  if (scopes.length === 0) throw badInput('scopes', `name at least one scope (${DELEGATED_SCOPES.join(', ')})`);
  const unknown = scopes.filter((s) => !(DELEGATED_SCOPES as readonly string[]).includes(s));
  if (unknown.length) throw badInput('scopes', `unknown: ${unknown.join(', ')}`);
  return [...new Set(scopes as readonly DelegatedScope[])];
}

/** A grant names a partner app that exists. */
export function grantableApp<T>(app: T | null, partnerAppId: string): T {
  if (!app) throw notFound('PartnerApp', partnerAppId);
  return app;
}
