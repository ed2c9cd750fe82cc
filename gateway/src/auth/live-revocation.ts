import { GraphQLError } from 'graphql';
import { DomainError, ErrorCode, isAtLeast, type BusTransport, type Principal, type Role } from '@eventgraph/runtime';
import type { ConnectionRegistry, Verdict } from '../subscriptions/connection-registry';
import type { UpstreamAuth } from '../subscriptions/engine';
import type { Authenticated, Authenticator } from './authenticator';
import type { CallerDirectory } from './caller-directory';
import { ORIGIN_NOT_ALLOWED } from '../cors';

/** What a graphql-ws connection carries from its connection_init to each of its operations. */
export interface ConnectionAuth extends UpstreamAuth {
  authenticated: Authenticated;
  /** the credential as presented (`Bearer …`), to authenticate the connection again; absent for anonymous callers */
  authorization?: string;
  /** the user a partner key acts for (`x-eventgraph-acting-for`), checked again with the credential */
  actingFor?: string;
  /** the socket's remote address */
  clientAddress?: string;
  /** the page's origin, when a browser opened the socket */
  origin?: string;
}

/**
 * Did the caller lose anything between `before` and `after`? A membership gone or a lower role, a
 * scope or gate gone, a different white-label configuration, trusted-documents mode switched: yes.
 * A new membership, a higher role, an extra scope: no (what runs was authorised with less).
 */
export function rightsNarrowed(before: Authenticated, after: Authenticated): boolean {
  const [was, is] = [before.principal, after.principal];
  if (was.kind !== is.kind || was.id !== is.id) return true;
  const lostRole = was.memberships.some((old) => {
    const now = is.memberships.find((m) => m.organizationId === old.organizationId);
    return !now || !isAtLeast(now.role as Role, old.role as Role);
  });
  if (lostRole) return true;
  if (!includesAll(is.scopes, was.scopes) || !includesAll(is.gateIds ?? [], was.gateIds ?? [])) return true;
  if (canonical(was.whiteLabel) !== canonical(is.whiteLabel)) return true;
  if (was.actingFor && (is.actingFor?.userId !== was.actingFor.userId || !includesAll(is.actingFor.scopes, was.actingFor.scopes)))
    return true;
  return before.trustedDocumentsOf !== after.trustedDocumentsOf;
}

/** Everything the gateway enforces for a caller, in a form that compares equal when nothing changed. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    Array.isArray(v) ? [...v].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) : v,
  );
}

const includesAll = (have: string[], needed: string[]) => needed.every((x) => have.includes(x));

const enforced = ({ principal, trustedDocumentsOf, requestsPerMinute, expiresAt }: Authenticated) =>
  canonical({ principal, trustedDocumentsOf, requestsPerMinute, expiresAt: expiresAt?.getTime() });

/** The verdict on a connection authenticated as `before` whose credential now gives `after`. */
export function verdictOn(before: Authenticated, after: Authenticated): 'unchanged' | 'widened' | 'narrowed' {
  if (rightsNarrowed(before, after)) return 'narrowed';
  return enforced(before) === enforced(after) ? 'unchanged' : 'widened';
}

export interface LiveRevocationOptions {
  authenticator: Authenticator;
  callers: CallerDirectory;
  /** the connection's auth for its caller authenticated again (signing, sharing key) */
  authFor(authenticated: Authenticated, previous: ConnectionAuth): ConnectionAuth;
  /** may the caller, as authenticated now, still call from the page's origin (a partner app's origins changed)? */
  mayCallFrom?(origin: string, authenticated: Authenticated): Promise<boolean>;
}

/** Authenticates a connection's credential again and says what that means for it. */
export function connectionRevalidator(options: LiveRevocationOptions) {
  return async (auth: ConnectionAuth): Promise<Verdict<ConnectionAuth>> => {
    if (!auth.authorization) return { kind: 'unchanged' }; // anonymous stays anonymous
    let now: Authenticated;
    try {
      now = await options.authenticator.authenticate(auth.authorization, undefined, auth.actingFor);
    } catch (err) {
      // FORBIDDEN: the user revoked the partner app's grant
      if (err instanceof DomainError && [ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN].includes(err.extensions.code as never))
        return { kind: 'refused', error: new GraphQLError(err.message, { extensions: err.extensions }) };
      throw err; // not a verdict (users unreachable, say): the registry keeps the connection and looks again later
    }
    if (auth.origin && options.mayCallFrom && !(await options.mayCallFrom(auth.origin, now)))
      return {
        kind: 'refused',
        error: new GraphQLError(`calls from ${auth.origin} are no longer allowed with this key`, {
          extensions: { code: ORIGIN_NOT_ALLOWED, reason: ORIGIN_NOT_ALLOWED },
        }),
      };
    const kind = verdictOn(auth.authenticated, now);
    return kind === 'unchanged' ? { kind } : { kind, auth: options.authFor(now, auth) };
  };
}

const principalOf = (auth: ConnectionAuth): Principal => auth.authenticated.principal;

/**
 * Bus events about a caller re-check that caller's open connections at once, after dropping what the
 * gateway cached about them (the caller directory drops it too, but its handler may run second).
 */
export function watchCallerChanges(
  bus: BusTransport,
  registry: ConnectionRegistry<ConnectionAuth>,
  callers: CallerDirectory,
): () => void {
  const recheck = (matches: (auth: ConnectionAuth) => boolean) => {
    for (const auth of registry.callers(matches)) {
      const { kind, id } = principalOf(auth);
      const { actingFor, partnerAppId } = principalOf(auth);
      if (actingFor && partnerAppId) callers.forgetGrant(partnerAppId, actingFor.userId);
      if (kind === 'user' && id) callers.forgetUser(id);
      else if (auth.authorization && (kind === 'apiKey' || kind === 'device'))
        callers.forgetCredential(auth.authorization.replace(/^Bearer\s+/i, '').trim());
    }
    void registry.revalidate(matches);
  };
  const userIs = (userId: unknown) => (auth: ConnectionAuth) =>
    principalOf(auth).kind === 'user' && principalOf(auth).id === userId;
  const stops = [
    ...['membership.changed', 'user.credentials_changed', 'session.revoked'].map((topic) =>
      bus.subscribe(topic, (event) => recheck(userIs(event.payload.userId))),
    ),
    bus.subscribe('apikey.changed', (event) =>
      recheck((auth) => principalOf(auth).kind === 'apiKey' && principalOf(auth).id === event.payload.apiKeyId),
    ),
    bus.subscribe('device.changed', (event) =>
      recheck((auth) => principalOf(auth).kind === 'device' && principalOf(auth).id === event.payload.deviceId),
    ),
    bus.subscribe('partner_app.changed', (event) =>
      recheck((auth) => auth.authenticated.partnerAppId === event.payload.partnerAppId),
    ),
    // a grant changed or revoked: the app's connections acting for that user are checked again
    bus.subscribe('partner_grant.changed', (event) =>
      recheck(
        (auth) =>
          auth.authenticated.partnerAppId === event.payload.partnerAppId &&
          principalOf(auth).actingFor?.userId === event.payload.userId,
      ),
    ),
  ];
  return () => stops.forEach((stop) => void stop());
}
