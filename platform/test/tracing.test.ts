import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PRINCIPAL_HEADER, signPrincipal, type Principal } from '@eventgraph/runtime';
import { createOrganisationWithEvent } from './support/demo-data';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

/*
 * Tracing and metrics end to end: the real platform exports its spans over OTLP/HTTP (JSON, what
 * @opentelemetry/exporter-trace-otlp-http sends) to a receiver on an ephemeral port, configured only by the
 * standard OTEL_* variables; its subgraphs answer /metrics.
 */

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  service: string;
  attributes: Record<string, unknown>;
}

// OTLP span kinds
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpAttribute = { key: string; value: OtlpValue };
const attributes = (list: OtlpAttribute[] = []) =>
  Object.fromEntries(
    list.map(({ key, value }) => [key, value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue]),
  );
// OTLP/JSON ids are hex; accept base64 too, in case an exporter sends protobuf-style ids
const hexId = (id: string | undefined) =>
  !id ? '' : /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');

/** A local OTLP/HTTP traces endpoint keeping every span it is sent. */
async function startOtlpReceiver(): Promise<{ server: Server; url: string; spans: ReceivedSpan[]; contentTypes: Set<string> }> {
  const spans: ReceivedSpan[] = [];
  const contentTypes = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      contentTypes.add(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{
          resource: { attributes: OtlpAttribute[] };
          scopeSpans: Array<{ spans: Array<Omit<ReceivedSpan, 'service' | 'attributes'> & { attributes: OtlpAttribute[] }> }>;
        }>;
      };
      for (const { resource, scopeSpans } of body.resourceSpans) {
        const service = String(attributes(resource.attributes)['service.name']);
        for (const span of scopeSpans.flatMap((s) => s.spans)) {
          spans.push({
            traceId: hexId(span.traceId),
            spanId: hexId(span.spanId),
            parentSpanId: hexId(span.parentSpanId),
            name: span.name,
            kind: span.kind,
            service,
            attributes: attributes(span.attributes as unknown as OtlpAttribute[]),
          });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, contentTypes };
}

const OTEL_KEYS = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_BSP_SCHEDULE_DELAY', 'OTEL_SDK_DISABLED', 'OTEL_TRACES_SAMPLER'];
const savedEnv = Object.fromEntries(OTEL_KEYS.map((k) => [k, process.env[k]]));
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let platform: TestPlatform;
let eventId: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '50' });
  delete process.env.OTEL_SDK_DISABLED;
  delete process.env.OTEL_TRACES_SAMPLER;
  platform = await startTestPlatform();
  ({
    event: { id: eventId },
  } = await createOrganisationWithEvent(platform));
});

afterAll(async () => {
  await platform?.stop();
  receiver?.server.closeAllConnections();
  await new Promise((resolve) => receiver?.server.close(resolve));
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

/** A caller's own trace context: a trace id and the id of the caller's span. */
const callerContext = () => ({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') });
const traceparentOf = (c: { traceId: string; spanId: string }) => `00-${c.traceId}-${c.spanId}-01`;

const DEVELOPMENT: Principal = { kind: 'service', id: 'development', memberships: [], scopes: ['*'] };

/** A GraphQL request straight to a subgraph, signed as the gateway signs, carrying a traceparent. */
async function toSubgraph(subgraph: string, traceparent: string, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(platform.subgraphs[subgraph]!.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      traceparent,
      [PRINCIPAL_HEADER]: signPrincipal(DEVELOPMENT, platform.settings.EVENTGRAPH_PRINCIPAL_SECRET),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data!;
}

/** Spans of a trace, once `until` holds for them (export is batched, so they arrive a little later). */
async function traceSpans(
  traceId: string,
  until: (spans: ReceivedSpan[]) => boolean,
  timeoutMs = 10_000,
): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    if (until(spans)) return spans;
    if (Date.now() > deadline) {
      throw new Error(`trace ${traceId} incomplete: ${JSON.stringify(spans.map((s) => [s.service, s.name, s.kind]))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The chain of spans from `span` up to the trace's root, nearest first. */
function ancestors(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  for (let at = spans.find((s) => s.spanId === span.parentSpanId); at; at = spans.find((s) => s.spanId === at!.parentSpanId)) {
    chain.push(at);
  }
  return chain;
}

describe('tracing over OTLP/HTTP', () => {
  it("continues a caller's traceparent in the subgraph's server span, with a span per SQL statement beneath it", async () => {
    const caller = callerContext();
    const data = await toSubgraph('events', traceparentOf(caller), 'query Traced($id: ID!) { event(id: $id) { id title } }', {
      id: eventId,
    });
    expect(data.event).toMatchObject({ id: eventId, title: 'Summer Sound' });

    const spans = await traceSpans(caller.traceId, (all) => all.some((s) => s.kind === CLIENT && s.service === 'events'));
    const server = spans.find((s) => s.kind === SERVER && s.service === 'events')!;
    expect(server).toMatchObject({ parentSpanId: caller.spanId, name: 'query Traced' });
    expect(server.attributes).toMatchObject({ 'graphql.operation.name': 'Traced', 'http.response.status_code': 200 });

    const statements = spans.filter((s) => s.kind === CLIENT && s.service === 'events');
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      // under the request, however deep (a loader's batch runs in the request's context)
      expect(ancestors(spans, statement)).toContainEqual(server);
      expect(statement.attributes['db.system.name']).toBe('postgresql');
      expect(String(statement.attributes['db.query.text'])).toMatch(/^\s*SELECT/i);
      // parameters stay parameters: the event id the request asked for is not in the statement's text
      expect(String(statement.attributes['db.query.text'])).not.toContain(eventId.replace(/^.*:/, ''));
    }
    expect(receiver.contentTypes).toContainEqual(expect.stringMatching(/^POST \/v1\/traces application\/json/));
  });

  it('follows a request from the gateway through each subgraph fetch to the SQL beneath it, in one trace', async () => {
    const caller = callerContext();
    const res = await fetch(platform.gateway.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${platform.devToken}`,
        traceparent: traceparentOf(caller),
      },
      body: JSON.stringify({
        query: 'query Chained($id: ID!) { event(id: $id) { title organization { name } } }',
        variables: { id: eventId },
      }),
    });
    expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();

    // events may answer this event from its cache (an earlier test read it): SQL is looked for under users;
    // the gateway's own span ends after the answer is sent, so it may be exported after the subgraphs'
    const spans = await traceSpans(
      caller.traceId,
      (all) =>
        all.some((s) => s.kind === SERVER && s.service === 'gateway') &&
        all.some((s) => s.kind === SERVER && s.service === 'events') &&
        all.some((s) => s.kind === CLIENT && s.service === 'users'),
    );
    const gateway = spans.find((s) => s.kind === SERVER && s.service === 'gateway')!;
    expect(gateway).toMatchObject({ parentSpanId: caller.spanId, name: 'query Chained' });
    for (const subgraph of ['events', 'users']) {
      const fetchSpan = spans.find(
        (s) => s.kind === CLIENT && s.service === 'gateway' && s.attributes['peer.service'] === subgraph,
      )!;
      expect(fetchSpan.parentSpanId).toBe(gateway.spanId);
      const server = spans.find((s) => s.kind === SERVER && s.service === subgraph && s.parentSpanId === fetchSpan.spanId);
      expect(server).toBeDefined();
    }
    const usersServer = spans.find((s) => s.kind === SERVER && s.service === 'users')!;
    const statement = spans.find((s) => s.kind === CLIENT && s.service === 'users' && ancestors(spans, s).includes(usersServer));
    expect(statement?.attributes['db.system.name']).toBe('postgresql');
  });

  it("carries a mutation's trace over the bus: the event's producer span, then each consumer's span and its SQL", async () => {
    const caller = callerContext();
    await toSubgraph(
      'events',
      traceparentOf(caller),
      'mutation Rename($id: ID!) { updateEvent(id: $id, input: { title: "Autumn Sound" }) { id } }',
      {
        id: eventId,
      },
    );
    // access keeps its own record of events (consumer group event-projection), written by the consumer; each
    // process exports its spans in its own batches, so the events subgraph's may come after access's
    const spans = await traceSpans(
      caller.traceId,
      (all) =>
        all.some((s) => s.kind === SERVER && s.service === 'events') &&
        all.some((s) => s.kind === PRODUCER && s.attributes['messaging.destination.name'] === 'event.updated') &&
        all.some(
          (s) =>
            s.kind === CONSUMER && s.service === 'access' && all.some((c) => c.parentSpanId === s.spanId && c.kind === CLIENT),
        ),
    );
    const server = spans.find((s) => s.kind === SERVER && s.service === 'events')!;
    expect(server.parentSpanId).toBe(caller.spanId);
    const producer = spans.find((s) => s.kind === PRODUCER && s.attributes['messaging.destination.name'] === 'event.updated')!;
    expect(producer.service).toBe('events');
    expect(ancestors(spans, producer)).toContainEqual(server);

    const consumer = spans.find((s) => s.kind === CONSUMER && s.service === 'access')!;
    expect(consumer.parentSpanId).toBe(producer.spanId);
    expect(consumer).toMatchObject({ name: 'event.updated process' });
    expect(consumer.attributes['messaging.consumer.group.name']).toMatch(/event-projection/);
    expect(consumer.attributes['messaging.message.id']).toBe(producer.attributes['messaging.message.id']);
    const write = spans.find((s) => s.parentSpanId === consumer.spanId && s.kind === CLIENT)!;
    expect(write.service).toBe('access');
  });
});

describe('/metrics on every subgraph', () => {
  const scrape = async (subgraph: string) => {
    const res = await fetch(new URL('/metrics', platform.subgraphs[subgraph]!.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };
  /** the value of the sample of `name` whose labels include `labels` (label order is the client's business) */
  const sample = (text: string, name: string, labels: Record<string, string | RegExp>) => {
    for (const line of text.split('\n')) {
      const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const has = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      const fits = Object.entries(labels).every(([k, v]) => (typeof v === 'string' ? has[k] === v : v.test(has[k] ?? '')));
      if (fits) return Number(match[3]);
    }
    return undefined;
  };
  const counted = { service: 'events', operation: 'Counted', type: 'query' };

  it('counts requests, errors by code and latency by operation', async () => {
    const caller = traceparentOf(callerContext());
    const before = sample(await scrape('events'), 'eventgraph_graphql_requests_total', counted) ?? 0;
    await toSubgraph('events', caller, 'query Counted($id: ID!) { event(id: $id) { id } }', { id: eventId });
    await toSubgraph('events', caller, 'query Counted($id: ID!) { event(id: $id) { id } }', { id: eventId });
    const res = await fetch(platform.subgraphs.events!.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [PRINCIPAL_HEADER]: signPrincipal(DEVELOPMENT, platform.settings.EVENTGRAPH_PRINCIPAL_SECRET),
      },
      body: JSON.stringify({ query: 'query Broken { event { id } }' }),
    });
    expect(res.status).toBe(400);

    const text = await scrape('events');
    expect(sample(text, 'eventgraph_graphql_requests_total', { ...counted, caller: 'service' })).toBe(before + 2);
    expect(sample(text, 'eventgraph_graphql_request_duration_seconds_count', counted)).toBe(before + 2);
    expect(
      sample(text, 'eventgraph_graphql_errors_total', {
        operation: 'Broken',
        code: 'GRAPHQL_VALIDATION_FAILED',
        caller: 'service',
      }),
    ).toBe(1);
    // the platform's one process: CPU and memory on the gateway's /metrics, not on every subgraph's
    expect(text).not.toContain('process_cpu_user_seconds_total');
  });

  it('on the gateway too: requests by operation and caller kind, subgraph fetch latency, open subscriptions', async () => {
    const scrapeGateway = async () => {
      const res = await fetch(new URL('/metrics', platform.gateway.url));
      expect(res.status).toBe(200);
      return res.text();
    };
    const gatewayCounted = { service: 'gateway', operation: 'GatewayCounted', type: 'query', caller: 'service' };
    const fetchesBefore =
      sample(await scrapeGateway(), 'eventgraph_subgraph_fetch_duration_seconds_count', { subgraph: 'events' }) ?? 0;
    await platform.data('query GatewayCounted($id: ID!) { event(id: $id) { title } }', { id: eventId });
    const client = platform.wsClient();
    const events: unknown[] = [];
    const unsubscribe = client.subscribe(
      { query: 'subscription($id: ID!) { eventChanged(eventId: $id) { __typename } }', variables: { id: eventId } },
      { next: (event) => void events.push(event), error: () => {}, complete: () => {} },
    );
    const deadline = Date.now() + 5_000;
    let text = await scrapeGateway();
    while (sample(text, 'eventgraph_subscriptions_open', { service: 'gateway' }) !== 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      text = await scrapeGateway();
    }
    unsubscribe();
    expect(sample(text, 'eventgraph_graphql_requests_total', gatewayCounted)).toBe(1);
    expect(sample(text, 'eventgraph_subgraph_fetch_duration_seconds_count', { subgraph: 'events' })).toBeGreaterThan(
      fetchesBefore,
    );
    expect(sample(text, 'eventgraph_subscriptions_open', { service: 'gateway' })).toBe(1);
  });

  it('keeps the gateway’s /metrics from requests a proxy forwarded (the gateway faces the internet)', async () => {
    const res = await fetch(new URL('/metrics', platform.gateway.url), { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(res.status).toBe(404);
  });

  it('reports bus lag per consumer, the outbox backlog and pool use on a server (PGlite has none: one in-process connection)', async () => {
    const text = await scrape('access');
    const projection = { service: 'access', consumer: /event-projection$/ };
    // the events created and updated above reached access's projection, each observed as it was handled
    expect(sample(text, 'eventgraph_bus_lag_seconds_count', projection)).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'eventgraph_bus_lag_seconds_bucket', { ...projection, le: '+Inf' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'eventgraph_bus_events_handled_total', { ...projection, outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    // live subscribers are consumers too (the events subgraph's cache forgets changed events)
    expect(
      sample(await scrape('events'), 'eventgraph_bus_lag_seconds_count', { consumer: 'live:event.*' }),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'eventgraph_outbox_backlog_events', { service: 'access' })).toBe(0);
    if (platform.settings.DATABASE_URL)
      expect(sample(text, 'eventgraph_db_pool_connections', { service: 'access' })).toBeGreaterThan(0);
    else expect(text).not.toContain('eventgraph_db_pool_connections');
  });
});
