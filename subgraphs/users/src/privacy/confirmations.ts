import { USER_ERASURE_COMPLETED_TOPIC, type ConsumerServices } from '@eventgraph/runtime';
import type { UsersDb } from '../context';

/**
 * The other subgraphs' acknowledgements of an erasure (`user.erasure_completed`), recorded on its receipt once
 * per subgraph: a redelivered acknowledgement keeps the first confirmation's time.
 */
export const recordErasureConfirmations = ({ db, bus, group }: ConsumerServices<UsersDb>) =>
  bus.consume!(group('erasure-confirmations'), USER_ERASURE_COMPLETED_TOPIC, async (event) => {
    const { receiptId, subgraph, erased } = event.payload as { receiptId?: unknown; subgraph?: unknown; erased?: unknown };
    if (typeof receiptId !== 'string' || typeof subgraph !== 'string') return;
    const receipt = await db.erasureReceipt.findUnique({ where: { id: receiptId }, select: { id: true } });
    if (!receipt) return;
    await db.erasureConfirmation.upsert({
      where: { receiptId_subgraph: { receiptId, subgraph } },
      create: { receiptId, subgraph, erased: (erased ?? {}) as object, confirmedAt: new Date(event.occurredAt) },
      update: {},
    });
  });
