import type { BusTransport, Logger } from '@eventgraph/runtime';
import type { CallerPolicies, RateLimiter } from './rate-limit';
import type { DocumentManifest } from './documents-by-hash';
import type { GuardSettings } from './execution';
import type { OperationLimits } from './limits';
import type { OverloadSettings } from './overload-settings';
import type { IntrospectionPolicy } from './schema-exposure';
import type { SubscriptionEngine } from './subscriptions/engine';
import type { SseSettings } from './sse/settings';

export interface GatewayOptions {
  supergraphSdl: string;
  port: number;
  host?: string;
  /** replaces the routing URLs written in the supergraph, by subgraph name */
  subgraphUrls?: Record<string, string>;
  principalSecret: string;
  /** verifies user access tokens */
  jwtSecret: string;
  /** the development credential (`Authorization: Bearer <devToken>`); leave unset in production */
  devToken?: string;
  /** who may introspect and see "Did you mean …?" hints (default: on); production settings default to members */
  introspection?: IntrospectionPolicy;
  /** GraphiQL for browsers on GET /graphql, assets under /graphiql/ (default off; settings: on outside production) */
  graphiql?: boolean;
  /** bus events evict cached callers at once (membership and credential changes) and re-check their sockets */
  bus?: BusTransport;
  /** every open graphql-ws connection's caller is checked again this often, bus or not (default 30 s; 0: never) */
  connectionRevalidationMs?: number;
  /** operation limits; default: the environment's (EVENTGRAPH_OPERATION_LIMITS_FILE, EVENTGRAPH_MAX_COST…) */
  limits?: Partial<OperationLimits>;
  /** per-caller token buckets; in memory unless given (e.g. Redis, shared by replicas) */
  rateLimiter?: RateLimiter;
  /** bucket sizes per kind of caller (API keys carry their own) */
  callerPolicies?: CallerPolicies;
  /** proxies of our own in front of the gateway, whose X-Forwarded-For entries are believed (default 0: none) */
  trustedProxyHops?: number;
  /** the platform's own sites, allowed to call from browsers with any credential (partner apps list their own) */
  corsOrigins?: readonly string[];
  /** operations runnable by hash alone for everyone; default: the SDK's manifest, when present in this repository */
  publishedDocuments?: DocumentManifest;
  /** subgraph request timeout and circuit breaker; default: the environment's (EVENTGRAPH_SUBGRAPH_TIMEOUT_MS, …) */
  subgraphGuard?: GuardSettings;
  /** identical queries in flight at once go to the subgraph once (default: EVENTGRAPH_SHARE_INFLIGHT_QUERIES, on) */
  shareInflightQueries?: boolean;
  /** process metrics (CPU, memory, event loop, GC) in the gateway's registry; default false, the programs turn it on (prom-client's collectors cannot be stopped, so tests leave them off) */
  processMetrics?: boolean;
  /** `/metrics` answers requests bearing this token; without one, only direct requests from private addresses */
  metricsToken?: string;
  /** load shedding and the per-socket bound of unsent bytes; unset parts from the environment (EVENTGRAPH_MAX_IN_FLIGHT, …) */
  overload?: Partial<OverloadSettings>;
  /** server-sent events (`/graphql/stream`, `/events/stream`): replay, keep-alive; unset parts from the environment (EVENTGRAPH_SSE_…) */
  serverSentEvents?: Partial<SseSettings>;
  /** keep event streams' replay in this Redis too, so a client resumes on any replica (default: per replica) */
  sseReplayRedis?: { url: string; prefix?: string };
  logger: Logger;
}

export interface RunningGateway {
  port: number;
  /** http URL of the GraphQL endpoint; the graphql-ws endpoint is the same path over ws:// */
  url: string;
  wsUrl: string;
  engine: SubscriptionEngine;
  /** how many caller lookups went to the users subgraph (users by id, API keys and devices by credential) */
  callerLookups(): { users: number; credentials: number };
  stop(): Promise<void>;
}
