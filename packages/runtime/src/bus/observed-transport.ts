import type { BusConsumerMetrics } from '../metrics/service-health';
import { traceEventHandling } from '../telemetry';
import type { BusEvent } from './event';
import type { BusTransport } from './transport';

/**
 * A service's view of the shared transport: every handler of its consumers runs in a consumer span continuing
 * the event's producer trace (so mutation → outbox → bus → delivery is one trace) and is counted in its metrics.
 * Publishing, closing and the outbox's owed delivery pass straight through.
 */
export function observeBus(transport: BusTransport, service: string, metrics?: BusConsumerMetrics): BusTransport {
  const handle = <T>(consumer: string, event: BusEvent, run: () => T | Promise<T>) => {
    const traced = () => traceEventHandling(service, event, consumer, async () => run());
    return metrics ? metrics.observe(consumer, event.occurredAt, traced) : traced();
  };
  const { consume } = transport;
  return {
    publish: (events) => transport.publish(events),
    subscribe: (pattern, handler) =>
      transport.subscribe(pattern, (event) => handle(`live:${pattern}`, event, () => handler(event))),
    consume:
      consume &&
      ((group, pattern, handler, options) =>
        consume.call(
          transport,
          group,
          pattern,
          (event, delivery) => handle(group, event, () => handler(event, delivery)),
          options,
        )),
    close: () => transport.close(),
    owedDelivery: transport.owedDelivery,
  };
}
