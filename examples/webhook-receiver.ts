/**
 * A webhook receiver for Eventgraph deliveries, written from docs/webhooks.md
 * alone: node:http, no framework. It verifies every request before trusting
 * it (signature in constant time, 5-minute timestamp tolerance), drops
 * duplicates by Eventgraph-Webhook-Id, hands the event to `onEvent`, and
 * answers 2xx only when that succeeded.
 *
 *   WEBHOOK_SECRET=whsec_… PORT=8080 npx tsx examples/webhook-receiver.ts
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** The JSON body of a delivery. */
export interface WebhookEvent {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface WebhookReceiverOptions {
  /** the endpoint's secret (whsec_…); a function, to pick up a rotated one */
  secret: string | (() => string);
  /** processes a verified, first-seen event; throwing answers 500 so Eventgraph retries */
  onEvent(event: WebhookEvent): void | Promise<void>;
  /** how far the timestamp may be from now (default 300 s) */
  toleranceSeconds?: number;
  /** how long processed ids are remembered (default one day) */
  rememberSeconds?: number;
  /** the clock, in Unix seconds (tests) */
  now?: () => number;
  /** largest body accepted (default 1 MiB) */
  maxBodyBytes?: number;
}

export type Verdict =
  | { ok: true }
  | {
      ok: false;
      status: 400 | 401;
      reason: 'missing headers' | 'bad timestamp' | 'timestamp outside tolerance' | 'bad signature';
    };

/** Steps 2–5 of docs/webhooks.md: headers present, a v1 signature that matches (constant time), a fresh timestamp. */
export function verifyDelivery(
  secret: string,
  rawBody: Buffer,
  timestamp: string | undefined,
  signature: string | undefined,
  nowSeconds: number,
  toleranceSeconds = 300,
): Verdict {
  if (!timestamp || !signature) return { ok: false, status: 400, reason: 'missing headers' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, status: 400, reason: 'bad timestamp' };
  const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex'), 'hex');
  const signed = signature.split(',').some((raw) => {
    const part = raw.trim();
    if (!part.startsWith('v1=')) return false;
    const given = Buffer.from(part.slice(3), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!signed) return { ok: false, status: 401, reason: 'bad signature' };
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds)
    return { ok: false, status: 400, reason: 'timestamp outside tolerance' };
  return { ok: true };
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function readRawBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        resolve(null);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A node:http server receiving Eventgraph webhooks; `listen()` it yourself. */
export function createWebhookReceiver(options: WebhookReceiverOptions): Server {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const tolerance = options.toleranceSeconds ?? 300;
  const remember = options.rememberSeconds ?? 86_400;
  /** id → until when it is remembered (Unix seconds) */
  const processed = new Map<string, number>();
  /** ids being processed right now, so a concurrent retry of the same id is not processed twice */
  const inProgress = new Set<string>();

  const forgetOld = () => {
    const t = now();
    for (const [id, until] of processed) {
      if (until > t) break; // insertion order = expiry order
      processed.delete(id);
    }
  };

  return createServer(async (req, res) => {
    try {
      if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
      const raw = await readRawBody(req, options.maxBodyBytes ?? 1024 * 1024);
      if (!raw) return send(res, 413, { error: 'body too large' });
      const secret = typeof options.secret === 'function' ? options.secret() : options.secret;
      const verdict = verifyDelivery(
        secret,
        raw,
        header(req, 'Eventgraph-Timestamp'),
        header(req, 'Eventgraph-Signature'),
        now(),
        tolerance,
      );
      if (!verdict.ok) return send(res, verdict.status, { error: verdict.reason });

      forgetOld();
      const id = header(req, 'Eventgraph-Webhook-Id');
      if (!id) return send(res, 400, { error: 'missing headers' });
      // a duplicate: handled before (or being handled); acknowledge without processing it again
      if (processed.has(id) || inProgress.has(id)) return send(res, 200, { received: true, duplicate: true });

      let event: WebhookEvent;
      try {
        event = JSON.parse(raw.toString('utf8')) as WebhookEvent;
      } catch {
        return send(res, 400, { error: 'body is not JSON' });
      }
      if (event.id !== id) return send(res, 400, { error: 'body id does not match Eventgraph-Webhook-Id' });

      inProgress.add(id);
      try {
        await options.onEvent(event);
        processed.set(id, now() + remember);
      } finally {
        inProgress.delete(id);
      }
      return send(res, 200, { received: true });
    } catch {
      if (!res.headersSent) send(res, 500, { error: 'processing failed' });
    }
  });
}

if (require.main === module) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) {
    console.error('set WEBHOOK_SECRET to the secret createWebhookEndpoint returned');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 8080);
  createWebhookReceiver({
    secret,
    onEvent: (event) => console.log(`${event.occurredAt} ${event.type} ${event.id}`, JSON.stringify(event.data)),
  }).listen(port, () => console.log(`receiving Eventgraph webhooks on http://localhost:${port}/`));
}
