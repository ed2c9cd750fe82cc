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

/** The bus the settings name (EVENTGRAPH_BUS, NATS_URL, NATS_STREAM, NATS_SUBJECT_PREFIX). */
export function busConfigOf(settings: {
  EVENTGRAPH_BUS: 'memory' | 'nats';
  NATS_URL: string;
  NATS_STREAM?: string;
  NATS_SUBJECT_PREFIX?: string;
}): BusConfig {
  if (settings.EVENTGRAPH_BUS === 'memory') return { kind: 'memory' };
  return { kind: 'nats', url: settings.NATS_URL, stream: settings.NATS_STREAM, subjectPrefix: settings.NATS_SUBJECT_PREFIX };
}

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
