import { Counter, Gauge, type Registry } from 'prom-client';

/** Why a request was refused with OVERLOADED instead of being served. */
export type ShedReason = 'in_flight' | 'event_loop_delay';

/** A server's requests in flight (read at scrape time) and those it shed, by reason. */
export class LoadSheddingMetrics {
  private readonly shedTotal: Counter<'reason'>;
  private inFlight: () => number = () => 0;

  constructor(registry: Registry) {
    this.shedTotal = new Counter({
      name: 'eventgraph_requests_shed_total',
      help: 'requests answered 503 OVERLOADED at once instead of being served, by reason (in_flight, event_loop_delay)',
      labelNames: ['reason'],
      registers: [registry],
    });
    // both series from the start, so a rate() over them works before the first shed request
    for (const reason of ['in_flight', 'event_loop_delay'] as const) this.shedTotal.inc({ reason }, 0);
    const read = () => this.inFlight();
    new Gauge({
      name: 'eventgraph_requests_in_flight',
      help: 'requests being served now (the ones the load shedder counts: not /health, /ready or /metrics)',
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** Where the gauge reads its value at scrape time. */
  observeInFlight(read: () => number): void {
    this.inFlight = read;
  }

  shed(reason: ShedReason): void {
    this.shedTotal.inc({ reason });
  }
}
