import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '@eventgraph/runtime';
import type { IngestContext } from '../context';
import { openCredentials, pushSecretsOf } from '../credentials';
import { replayKey, SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECONDS, verifyPushSignature } from '../domain/push-signature';
import { answerRefusal, mediaTypeOf, readRawBody, RouteRefusal } from './refusal';
import type { IngestRouteOptions } from './options';

const isJson = (mediaType: string) => mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType);

/**
 * POST /ingest/push?sourceId=… (public: /ingest/sources/:id/push): a partner pushes a batch of events to a WEBHOOK
 * source. No principal is needed; the signature over the raw body, made with the source's secret, is the credential.
 * Each signature is accepted once (a PushReceipt), within the timestamp tolerance; older receipts are pruned.
 */
export async function servePush(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: IngestContext,
  sourceId: string,
  options: IngestRouteOptions,
): Promise<void> {
  try {
    const source = await ctx.db.source.findUnique({ where: { id: sourceId } });
    // one answer for missing, inactive and non-push sources: a probe learns nothing about which ids exist
    if (!source || source.kind !== 'WEBHOOK' || !source.active)
      throw new RouteRefusal('NOT_FOUND', 'no active push source with this id');
    if (!isJson(mediaTypeOf(req.headers['content-type'])))
      throw new RouteRefusal('UNSUPPORTED_MEDIA_TYPE', 'a push is a JSON body (Content-Type: application/json)');
    const body = await readRawBody(req, options.maxPushBytes);
    const now = options.now();
    const credentials = source.credentials ? openCredentials(options.box, source.credentials, source.id) : null;
    const secrets = pushSecretsOf(credentials, now);
    if (!secrets.length) throw new RouteRefusal('BAD_SIGNATURE', 'this source has no push secret yet');
    const header = req.headers[SIGNATURE_HEADER];
    const check = verifyPushSignature(Array.isArray(header) ? header[0] : header, body, secrets, now.getTime());
    if (!check.ok) throw new RouteRefusal(check.code, check.reason);
    const key = replayKey(check.timestamp, check.signature);
    await claimReceipt(ctx, source.id, key, now);
    let summary: unknown;
    try {
      summary = await options.ingest(ctx, {
        sourceId: source.id,
        trigger: 'PUSH',
        body,
        contentType: req.headers['content-type']!,
      });
    } catch (err) {
      // the batch did not land: the partner's retry with the same signature must be accepted
      await ctx.db.pushReceipt.delete({ where: { sourceId_key: { sourceId: source.id, key } } }).catch(() => undefined);
      throw err;
    }
    sendJson(res, 200, summary);
  } catch (err) {
    answerRefusal(res, err);
  }
}

/** Records the delivery; REPLAYED when its signature was accepted before. */
async function claimReceipt(ctx: IngestContext, sourceId: string, key: string, now: Date): Promise<void> {
  // a receipt older than twice the tolerance can never match again: its timestamp would be refused as stale
  const expired = new Date(now.getTime() - 2 * SIGNATURE_TOLERANCE_SECONDS * 1000);
  await ctx.db.pushReceipt.deleteMany({ where: { sourceId, receivedAt: { lt: expired } } });
  try {
    await ctx.db.pushReceipt.create({ data: { sourceId, key, receivedAt: now } });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002')
      throw new RouteRefusal('REPLAYED', 'this signed delivery was accepted before; sign each delivery anew');
    throw err;
  }
}
