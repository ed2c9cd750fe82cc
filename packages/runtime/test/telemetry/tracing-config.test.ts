import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { PLANNED_EACH_TIME, startTracing, traceStatement, tracerFor, tracingConfig, tracingEnabled } from '../../src';

describe('tracingConfig (the standard OTEL_* variables)', () => {
  it('is off when no OTLP endpoint is set, or when the SDK or the traces exporter is disabled', () => {
    expect(tracingConfig({})).toBeUndefined();
    expect(tracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('derives the traces URL from the base endpoint, and prefers the traces endpoint when both are set', () => {
    expect(tracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })?.endpoint).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracingConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp',
      })?.endpoint,
    ).toBe('https://traces.example.com/otlp');
  });

  it('reads headers, the service name, the batch delay and the sampler', () => {
    const config = tracingConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-team=events',
      OTEL_SERVICE_NAME: 'gateway-eu',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    })!;
    expect(config.headers).toEqual({ authorization: 'Bearer abc', 'x-team': 'events' });
    expect(config.serviceName).toBe('gateway-eu');
    expect(config.scheduleDelayMs).toBe(200);
    expect(config.sampler.toString()).toMatch(/ParentBased.*TraceIdRatioBased\{0\.25\}/);
    const defaults = tracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })!;
    expect(defaults.sampler.toString()).toMatch(/ParentBased\{root=AlwaysOnSampler/);
    expect(defaults.scheduleDelayMs).toBe(5000);
  });
});

interface OtlpBody {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue: string } }> };
    scopeSpans: Array<{ spans: Array<{ name: string; spanId: string; parentSpanId?: string }> }>;
  }>;
}

describe('startTracing', () => {
  it('costs nothing when off: no tracer provider, statements run without spans', async () => {
    const tracing = startTracing({ env: {} });
    expect(tracingEnabled()).toBe(false);
    expect(tracerFor('users').startSpan('x').isRecording()).toBe(false);
    await expect(traceStatement('users', 'SELECT 1', 'users', async () => 42)).resolves.toBe(42);
    await tracing.shutdown();
  });

  it('exports the spans of a service under its own name, and flushes what is buffered on shutdown', async () => {
    const bodies: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    try {
      // a long batch delay: only the shutdown's flush can have sent the span
      const tracing = startTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '60000' } });
      expect(tracingEnabled()).toBe(true);
      const [parentId, statementParentId] = await tracerFor('ingest').startActiveSpan('fetch run', async (span) => {
        // a statement inside a trace gets its own span, a child of the active one, named by its first word
        const inStatement = await traceStatement(
          'ingest',
          `${PLANNED_EACH_TIME}SELECT 1`,
          'ingest',
          async () => trace.getActiveSpan()?.spanContext().spanId,
        );
        span.end();
        return [span.spanContext().spanId, inStatement];
      });
      expect(statementParentId).not.toBe(parentId);
      // code with only the API (the gateway's) names its service by the tracer's name
      trace.getTracer('gateway').startSpan('POST /graphql').end();
      await tracing.shutdown();
      expect(tracingEnabled()).toBe(false);
      // one export per service's provider
      const sent = { resourceSpans: bodies.flatMap((body) => (JSON.parse(body) as OtlpBody).resourceSpans) };
      const spansOf = (service: string) =>
        sent.resourceSpans
          .filter((r) => r.resource.attributes.some((a) => a.key === 'service.name' && a.value.stringValue === service))
          .flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
      expect(spansOf('gateway').map((span) => span.name)).toEqual(['POST /graphql']);
      const spans = spansOf('ingest');

      expect(spans.map((span) => span.name).sort()).toEqual(['SELECT ingest', 'fetch run']);
      expect(spans.find((span) => span.name === 'SELECT ingest')).toMatchObject({
        spanId: statementParentId,
        parentSpanId: parentId,
      });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
