import type { ConsumerServices } from '@eventgraph/runtime';
import type { UsersDb } from '../context';
import { subscribesTo, WEBHOOK_TOPICS } from '../domain/webhooks';
import { wakeWebhookWorker } from './worker';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOPICS = new Set<string>(WEBHOOK_TOPICS);
const ENABLED_ENDPOINTS = `SELECT "id", "eventTypes" FROM "WebhookEndpoint" WHERE "organizationId" = $1::uuid AND "enabled"`;

/**
 * Every bus event of an organisation becomes a PENDING delivery for each of
 * the organisation's enabled endpoints subscribed to its topic. Idempotent:
 * a redelivered bus event hits the unique (endpointId, eventId) and adds
 * nothing. Events without an organisation, or off the allow-list, go nowhere.
 */
export const fanOutWebhooks = ({ db, sql, bus, group }: ConsumerServices<UsersDb>) =>
  bus.consume!(group('webhook-fanout'), '>', async (event) => {
    const organizationId = event.payload.organizationId;
    if (typeof organizationId !== 'string' || !UUID.test(organizationId) || !TOPICS.has(event.topic)) return;
    // every event of every organisation passes here (a check-in at each scan): one prepared statement
    const endpoints = await sql.query<{ id: string; eventTypes: string[] }>(ENABLED_ENDPOINTS, [organizationId]);
    const targets = endpoints.filter((endpoint) => subscribesTo(endpoint.eventTypes, event.topic));
    if (targets.length === 0) return;
    const { count } = await db.webhookDelivery.createMany({
      data: targets.map((endpoint) => ({
        endpointId: endpoint.id,
        eventId: event.id,
        topic: event.topic,
        payload: event.payload as object,
        occurredAt: new Date(event.occurredAt),
      })),
      skipDuplicates: true,
    });
    if (count > 0) wakeWebhookWorker(db);
  });
