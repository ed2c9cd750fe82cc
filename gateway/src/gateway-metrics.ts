import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  Counter,
  Gauge,
  GraphQLRequestMetrics,
  Histogram,
  isPrivateAddress,
  LATENCY_BUCKETS,
  LoadSheddingMetrics,
  type Registry,
} from '@eventgraph/runtime';

/**
 * The gateway's Prometheus metrics, besides requests, errors and latency by operation, code and kind
 * of caller, and requests in flight and shed (GraphQLRequestMetrics and LoadSheddingMetrics, as every
 * subgraph has): subgraph fetch latency and failures by subgraph, open subscriptions, their deliveries
 * and the connections cut off for leaving too much unread.
 */
export class GatewayMetrics {
  readonly requests: GraphQLRequestMetrics;
  readonly shedding: LoadSheddingMetrics;
  private readonly fetchDuration: Histogram<'subgraph'>;
  private readonly fetchFailures: Counter<'subgraph' | 'code'>;
  private readonly sharedFetches: Counter<'subgraph'>;
  private readonly subscriptions: Gauge;
  private readonly deliveries: Counter;
  private readonly slowSubscribers: Counter;
  /** each subgraph's histogram child, found once: observing through labels hashes them on every fetch */
  private readonly fetchDurationOf = new Map<string, { observe(seconds: number): void }>();

  constructor(readonly registry: Registry) {
    this.requests = new GraphQLRequestMetrics(registry);
    this.shedding = new LoadSheddingMetrics(registry);
    this.fetchDuration = new Histogram({
      name: 'eventgraph_subgraph_fetch_duration_seconds',
      help: 'time the gateway waited for a subgraph answer (merged entity fetches count once)',
      labelNames: ['subgraph'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.fetchFailures = new Counter({
      name: 'eventgraph_subgraph_fetch_failures_total',
      help: 'subgraph requests that got no GraphQL answer, by subgraph and code (SUBGRAPH_TIMEOUT, SUBGRAPH_UNAVAILABLE, SUBREQUEST_HTTP_ERROR)',
      labelNames: ['subgraph', 'code'],
      registers: [registry],
    });
    this.sharedFetches = new Counter({
      name: 'eventgraph_subgraph_fetches_shared_total',
      help: 'subgraph queries not sent because an identical one was in flight, whose answer they shared',
      labelNames: ['subgraph'],
      registers: [registry],
    });
    this.subscriptions = new Gauge({
      name: 'eventgraph_subscriptions_open',
      help: 'client subscriptions open at the gateway (over graphql-ws)',
      registers: [registry],
    });
    this.deliveries = new Counter({
      name: 'eventgraph_subscription_deliveries_total',
      help: 'subscription results delivered to clients',
      registers: [registry],
    });
    this.slowSubscribers = new Counter({
      name: 'eventgraph_slow_subscribers_closed_total',
      help: 'graphql-ws connections closed with 4413 SLOW_SUBSCRIBER for holding more unsent bytes than EVENTGRAPH_MAX_SOCKET_BUFFER_BYTES',
      registers: [registry],
    });
  }

  /** the subgraph transport's observers: each request's duration and failure, and the queries that joined one in flight */
  readonly fetches = {
    observe: (subgraph: string, seconds: number, failureCode?: string) => this.fetched(subgraph, seconds, failureCode),
    shared: (subgraph: string) => this.sharedFetches.inc({ subgraph }),
  };

  private fetched(subgraph: string, seconds: number, failureCode?: string): void {
    let duration = this.fetchDurationOf.get(subgraph);
    if (!duration) this.fetchDurationOf.set(subgraph, (duration = this.fetchDuration.labels({ subgraph })));
    duration.observe(seconds);
    if (failureCode) this.fetchFailures.inc({ subgraph, code: failureCode });
  }

  readonly subscriptionOpened = () => this.subscriptions.inc();
  readonly subscriptionClosed = () => this.subscriptions.dec();
  readonly delivered = (count = 1) => this.deliveries.inc(count);
  readonly slowSubscriberClosed = () => this.slowSubscribers.inc();
}

/**
 * Who may read the gateway's `/metrics` (unlike a subgraph, the gateway faces the internet): with a
 * token, whoever sends it as a bearer token; without one, only a direct connection from a private
 * address (a scraper inside the deployment), never one forwarded by a proxy.
 */
export function mayScrape(req: IncomingMessage, token: string | undefined): boolean {
  if (token) {
    const sent = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    return sent.length === token.length && timingSafeEqual(Buffer.from(sent), Buffer.from(token));
  }
  return !req.headers['x-forwarded-for'] && isPrivateAddress(req.socket.remoteAddress ?? '');
}
