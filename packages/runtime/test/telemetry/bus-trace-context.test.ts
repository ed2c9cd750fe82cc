import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import {
  claimUnpublished,
  countUnpublished,
  MemoryTransport,
  observeBus,
  OUTBOX_DDL,
  recordEvent,
  startTracing,
  tracerFor,
  type BusEvent,
  type Tracing,
} from '../../src';
import { silentLogger, waitFor } from '../bus/helpers';
import { openTestPGlite, type TestPGlite } from '../bus/pglite-host';

/*
 * Trace context across the outbox and the bus, on a real PGlite and the in-memory transport: what the
 * platform test shows end to end, here at the seams (the stored row, the envelope, the consumer's context).
 */
let pg: TestPGlite;
let sink: Server;
let tracing: Tracing;

beforeAll(async () => {
  pg = await openTestPGlite();
  await pg.exec(OUTBOX_DDL);
  // an OTLP endpoint that accepts and forgets: these tests look at contexts, not at exports
  sink = createServer((_req, res) => void res.writeHead(200).end('{}'));
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  tracing = startTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(sink.address() as AddressInfo).port}` } });
});

afterAll(async () => {
  await tracing.shutdown();
  await new Promise((resolve) => sink.close(resolve));
  await pg.close();
});

describe('trace context through the outbox', () => {
  it("records the recording request's trace with the event and hands it back on the envelope, not in the payload", async () => {
    const { traceId, recorded } = await tracerFor('events').startActiveSpan('mutation Rename', async (span) => {
      const event = await pg.db.$transaction((tx) => recordEvent(tx, 'events', 'event.updated', { eventId: 'e1' }));
      span.end();
      return { traceId: span.spanContext().traceId, recorded: event };
    });
    expect(recorded.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const [claimed] = await claimUnpublished(pg.db, 10, 30_000);
    expect(claimed).toEqual(recorded);
    expect(claimed!.payload).toEqual({ eventId: 'e1' });
  });

  it('records no trace context outside a trace', async () => {
    const event = await pg.db.$transaction((tx) => recordEvent(tx, 'events', 'event.updated', { eventId: 'e2' }));
    expect(event.traceparent).toBeUndefined();
    const [claimed] = await claimUnpublished(pg.db, 10, 30_000);
    expect(claimed).toEqual(event);
    expect(await countUnpublished(pg.db)).toBe(2);
  });
});

describe('observeBus', () => {
  it("runs each consumer's handling in a span continuing the event's trace, live and durable alike", async () => {
    const transport = new MemoryTransport({ logger: silentLogger });
    const bus = observeBus(transport, 'access');
    const seen: Array<{ consumer: string; traceId?: string }> = [];
    const note = (consumer: string) => () => void seen.push({ consumer, traceId: trace.getActiveSpan()?.spanContext().traceId });
    bus.subscribe('event.*', note('live'));
    bus.consume!('projection', 'event.*', note('durable'));

    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const event: BusEvent = {
      id: '2d0ec6a2-4b5e-4b0c-9d3e-6f1d2b6a8e10',
      topic: 'event.updated',
      source: 'events',
      occurredAt: new Date().toISOString(),
      payload: {},
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    };
    await bus.publish([event]);
    await waitFor(() => seen.length === 2, 2_000, 'both consumers');
    expect(seen.sort((a, b) => a.consumer.localeCompare(b.consumer))).toEqual([
      { consumer: 'durable', traceId },
      { consumer: 'live', traceId },
    ]);
    await transport.close();
  });
});
