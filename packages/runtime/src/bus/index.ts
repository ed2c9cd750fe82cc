/**
 * The platform's event bus: subgraphs record events in their own database
 * transaction (transactional outbox), a relay per database publishes them,
 * and consumers get each event at least once and stay idempotent by event id.
 *
 *   await db.$transaction((tx) => recordEvent(tx, 'checkins', 'checkin.recorded', { ... }));
 *   relay.poke();
 */
import { MemoryTransport } from './memory-transport';
import { connectNatsTransport } from './nats-transport';
import type { BusLogger, BusTransport } from './transport';

export * from './event';
export * from './transport';
export * from './outbox';
export * from './relay';
export * from './dedupe';
export { observeBus } from './observed-transport';
export { MemoryTransport, type MemoryTransportOptions } from './memory-transport';
export { NatsTransport, connectNatsTransport, type NatsTransportOptions } from './nats-transport';

export type BusConfig = { kind: 'memory' } | { kind: 'nats'; url: string; stream?: string; subjectPrefix?: string };

/**
 * The transport for this process: in memory when every subgraph runs in one
 * process (the embedded default; share the one instance), NATS JetStream
 * across processes. Async because NATS connects and ensures its stream first.
 */
export async function createBus(config: BusConfig, options: { logger?: BusLogger } = {}): Promise<BusTransport> {
  switch (config.kind) {
    case 'memory':
      return new MemoryTransport({ logger: options.logger });
    case 'nats':
      return connectNatsTransport({
        url: config.url,
        stream: config.stream,
        subjectPrefix: config.subjectPrefix,
        logger: options.logger,
      });
  }
}
