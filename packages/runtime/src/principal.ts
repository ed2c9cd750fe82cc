import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Who is calling. The gateway authenticates the caller, then forwards this
 * principal to subgraphs as a signed token; subgraphs verify it and never trust
 * an unsigned claim.
 */
export type PrincipalKind = 'anonymous' | 'user' | 'apiKey' | 'device' | 'service';

export interface Membership {
  organizationId: string;
  role: 'OWNER' | 'ADMIN' | 'MANAGER' | 'MEMBER' | 'VIEWER';
}

export interface Principal {
  kind: PrincipalKind;
  /** user id, api key id, device id or service name; absent for anonymous callers */
  id?: string;
  /** users: their roles; API keys and devices: their organisation */
  memberships: Membership[];
  /** API keys and devices: what they may do (see SCOPE_PERMISSIONS) */
  scopes: string[];
  /** devices: the gates they may scan at */
  gateIds?: string[];
  /** partner API keys: what the partner's white-label configuration lets it show */
  whiteLabel?: WhiteLabel;
  /** partner API keys: the partner app the key belongs to (attribution of what it writes, e.g. enrichments) */
  partnerAppId?: string;
  /**
   * partner API keys sent with `x-eventgraph-acting-for`: the user the partner app acts for, and what that
   * user's grant (users' PartnerGrant) lets it do for them. The gateway sets it only after finding the grant.
   */
  actingFor?: ActingFor;
}

/** What a user may let a partner app do for them. */
export const DELEGATED_SCOPES = ['TICKETS_BUY'] as const;
export type DelegatedScope = (typeof DELEGATED_SCOPES)[number];

export interface ActingFor {
  userId: string;
  scopes: DelegatedScope[];
}

/** HTTP header (graphql-ws connection param `actingFor`) with which a partner key names the user it acts for. */
export const ACTING_FOR_HEADER = 'x-eventgraph-acting-for';

export interface WhiteLabel {
  /** the organisations whose events the partner may show (its own among them) */
  organizationIds: string[];
  /** the categories it may show; empty: all */
  categories: string[];
  /** the visibilities it may show, e.g. PUBLIC */
  visibilities: string[];
}

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous', memberships: [], scopes: [] }) as Principal;

/** HTTP header (and graphql-ws connection_init payload key) that carries the signed principal. */
export const PRINCIPAL_HEADER = 'x-eventgraph-principal';

/** How long a forwarded principal stays valid: long enough for one request or one ws connection handshake. */
const DEFAULT_TTL_SECONDS = 300;

interface SignedClaims extends Principal {
  exp: number;
}

export class PrincipalError extends Error {
  constructor(
    readonly reason: 'missing' | 'malformed' | 'bad-signature' | 'expired',
    message: string,
  ) {
    super(message);
    this.name = 'PrincipalError';
  }
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

function signature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

/** `<base64url(json claims)>.<base64url(hmac-sha256)>` */
export function signPrincipal(principal: Principal, secret: string, ttlSeconds = DEFAULT_TTL_SECONDS, now = Date.now()): string {
  const claims: SignedClaims = { ...principal, exp: Math.floor(now / 1000) + ttlSeconds };
  const body = base64url(JSON.stringify(claims));
  return `${body}.${signature(secret, body)}`;
}

export function verifyPrincipal(token: string | undefined | null, secret: string, now = Date.now()): Principal {
  if (!token) throw new PrincipalError('missing', 'request is not signed by the gateway');
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) throw new PrincipalError('malformed', 'principal token is malformed');
  const expected = Buffer.from(signature(secret, body));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new PrincipalError('bad-signature', 'principal signature does not match');
  }
  let claims: SignedClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SignedClaims;
  } catch {
    throw new PrincipalError('malformed', 'principal token is malformed');
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < now)
    throw new PrincipalError('expired', 'principal token has expired');
  const principal: Principal = {
    kind: claims.kind,
    id: claims.id,
    memberships: claims.memberships ?? [],
    scopes: claims.scopes ?? [],
  };
  if (claims.gateIds) principal.gateIds = claims.gateIds;
  if (claims.whiteLabel) principal.whiteLabel = claims.whiteLabel;
  if (typeof claims.partnerAppId === 'string') principal.partnerAppId = claims.partnerAppId;
  if (claims.actingFor && typeof claims.actingFor.userId === 'string' && Array.isArray(claims.actingFor.scopes))
    principal.actingFor = { userId: claims.actingFor.userId, scopes: claims.actingFor.scopes };
  return principal;
}
