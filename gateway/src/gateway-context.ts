import { CLIENT_ADDRESS_HEADER, PRINCIPAL_HEADER, signClientAddress, signPrincipal, type Principal } from '@eventgraph/runtime';
import type { IncrementalDelivery } from './execution';
import { addressGroup } from './rate-limit';
import type { RequestLogFields } from './request-log';
import type { UpstreamAuth } from './subscriptions/engine';

/** What the executor needs of a request: the caller's credentials, forwarded to every subgraph fetch. */
export interface FetchContext {
  upstreamAuth: UpstreamAuth;
}

/** What Apollo Server's plugins and the subgraph fetcher know of a request, over HTTP and graphql-ws alike. */
export interface GatewayContext extends FetchContext {
  principal: Principal;
  requestId: string;
  /** trusted-documents mode: the partner app whose registered operations alone may run */
  trustedDocumentsOf?: string;
  /** an API key's partner app: its registered operations may be sent by hash */
  partnerAppId?: string;
  /** present when the transport can send deferred fragments later (multipart/mixed, graphql-ws) */
  incremental?: IncrementalDelivery;
  /** the request's log line, named with the operation once it is resolved (HTTP requests) */
  requestLog?: RequestLogFields;
}

/**
 * Signs the principal for each upstream request, so a long-lived subscription
 * never sends an expired signature; callers with the same principal may share
 * an upstream subscription.
 */
export function upstreamAuthFor(principal: Principal, requestId: string, secret: string, clientAddress?: string): UpstreamAuth {
  // the client's address (an IPv6 /64 as one), signed: users throttles log-ins per address
  const address = clientAddress && addressGroup(clientAddress);
  return {
    key: JSON.stringify(principal),
    headers: () => ({
      [PRINCIPAL_HEADER]: signPrincipal(principal, secret),
      'x-request-id': requestId,
      ...(address ? { [CLIENT_ADDRESS_HEADER]: signClientAddress(address, secret) } : {}),
    }),
  };
}
