import { DomainError, ErrorCode, parseId, type ConsumerServices } from '@eventgraph/runtime';
import type { UsersDb } from './context';

/**
 * Users never reads the access subgraph's tables: it learns each gate's organisation from `gate.created`,
 * so a device is linked only to gates of its own organisation.
 */
export const projectGates = ({ db, bus, group }: ConsumerServices<UsersDb>) =>
  bus.consume!(group('gate-projection'), 'gate.created', async (event) => {
    const { gateId, organizationId } = event.payload as { gateId?: string; organizationId?: string };
    if (!gateId || !organizationId) return;
    // idempotent: replaying the event writes the same row
    await db.knownGate.upsert({ where: { gateId }, create: { gateId, organizationId }, update: { organizationId } });
  });

/** How long a just-created gate may take to reach users through the bus. */
const ARRIVAL_WAIT_MS = 3000;

/**
 * The distinct gate ids of `field`, each a gate of `organizationId`. Another organisation's gate is refused
 * exactly like an unknown one (NOT_FOUND naming the item), so its existence does not leak.
 */
export async function ownGates(
  db: UsersDb,
  organizationId: string,
  ids: readonly (string | number)[],
  field = 'gateIds',
): Promise<string[]> {
  const parsed = ids.map((id, i) => ({ id: parseId(`${field}[${i}]`, id), at: `${field}[${i}]` }));
  const wanted = [...new Set(parsed.map((g) => g.id))];
  const deadline = Date.now() + ARRIVAL_WAIT_MS;
  for (;;) {
    // another organisation's gate counts as missing, answered alike and after the same wait
    const own = await db.knownGate.findMany({ where: { gateId: { in: wanted }, organizationId }, select: { gateId: true } });
    const missing = parsed.find((g) => !own.some((k) => k.gateId === g.id));
    if (!missing) return wanted;
    if (Date.now() > deadline)
      throw new DomainError(ErrorCode.NOT_FOUND, `${missing.at}: gate ${missing.id} was not found in this organisation`, {
        field: missing.at,
      });
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
