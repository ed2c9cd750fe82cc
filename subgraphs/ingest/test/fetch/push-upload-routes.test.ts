import { randomBytes, randomUUID } from 'node:crypto';
import {
  ANONYMOUS,
  loadPlatformSettings,
  MemoryTransport,
  PRINCIPAL_HEADER,
  runSubgraph,
  signPrincipal,
  type Principal,
  type RunningSubgraph,
} from '@eventgraph/runtime';
import { createSecretBox, newPushSecret, rotatePushSecret, sealCredentials } from '../../src/credentials';
import type { IngestDb } from '../../src/context';
import { signPush } from '../../src/domain/push-signature';
import { ingestSubgraph } from '../../src';
import { createIngestRoutes, type IngestPayload } from '../../src/routes';

/**
 * The push and upload routes on a real ingest subgraph (PGlite in memory, real HTTP, signed principals). The
 * pipeline behind them is H4a's `ingestPayload`; here a recorder stands in for it, so what is checked is what the
 * routes own: who may send, what is refused with which code, and that the body reaches the pipeline byte for byte.
 */

const settings = loadPlatformSettings({ LOG_LEVEL: 'silent' });
const box = createSecretBox(randomBytes(32));
const ORG = randomUUID();
const handed: IngestPayload[] = [];
let failNext = false;
let subgraph: RunningSubgraph<IngestDb>;
let db: IngestDb;
const secret = newPushSecret();
let pushSourceId: string;
let icalSourceId: string;
let rssSourceId: string;

beforeAll(async () => {
  const routes = createIngestRoutes({
    box,
    maxPushBytes: 64 * 1024,
    maxUploadBytes: 64 * 1024,
    ingest: async (_ctx, payload) => {
      if (failNext) {
        failNext = false;
        throw new Error('the pipeline fell over');
      }
      handed.push(payload);
      return { runId: randomUUID(), trigger: payload.trigger, bytes: payload.body.length };
    },
  });
  subgraph = await runSubgraph(
    { ...ingestSubgraph, routes },
    { settings, bus: new MemoryTransport(), port: 0, host: '127.0.0.1', database: { kind: 'embedded', dataDir: 'memory' } },
  );
  db = subgraph.db;
  pushSourceId = randomUUID();
  await db.source.create({
    data: {
      id: pushSourceId,
      organizationId: ORG,
      name: 'Partner push',
      kind: 'WEBHOOK',
      credentials: sealCredentials(box, { kind: 'WEBHOOK_SECRET', secret }, pushSourceId),
      credentialKind: 'WEBHOOK_SECRET',
    },
  });
  icalSourceId = (await db.source.create({ data: { organizationId: ORG, name: 'Club calendar', kind: 'ICAL' } })).id;
  rssSourceId = (
    await db.source.create({ data: { organizationId: ORG, name: 'Club news', kind: 'RSS', url: 'https://club.example/rss' } })
  ).id;
}, 60_000);
afterAll(() => subgraph?.stop());

const call = async (path: string, init: { body: string | Buffer; headers?: Record<string, string>; principal?: Principal }) => {
  const response = await fetch(new URL(path, subgraph.url), {
    method: 'POST',
    headers: {
      [PRINCIPAL_HEADER]: signPrincipal(init.principal ?? ANONYMOUS, settings.EVENTGRAPH_PRINCIPAL_SECRET),
      ...init.headers,
    },
    body: init.body,
  });
  const body = (await response.json()) as { errors?: { extensions: { code: string } }[] } & Record<string, unknown>;
  return { status: response.status, code: body.errors?.[0]?.extensions.code, body };
};

describe('POST /ingest/push', () => {
  const BATCH = JSON.stringify({ events: [{ id: 'p-1', title: 'Späti-Konzert', start: '2026-12-20T20:00:00+01:00' }] });
  const now = () => Math.floor(Date.now() / 1000);
  const push = (body: string, signature: string | null, sourceId = pushSourceId, contentType = 'application/json') =>
    call(`/ingest/push?sourceId=${sourceId}`, {
      body,
      headers: { 'content-type': contentType, ...(signature ? { 'x-eventgraph-signature': signature } : {}) },
    });

  it('hands a signed batch to the pipeline byte for byte, once', async () => {
    const signature = signPush(secret, BATCH, now());
    const first = await push(BATCH, signature);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ trigger: 'PUSH', bytes: Buffer.byteLength(BATCH) });
    expect(handed.at(-1)).toMatchObject({ sourceId: pushSourceId, trigger: 'PUSH', contentType: 'application/json' });
    expect(handed.at(-1)!.body.equals(Buffer.from(BATCH))).toBe(true);
    const handedBefore = handed.length;
    expect(await push(BATCH, signature)).toMatchObject({ status: 409, code: 'REPLAYED' });
    expect(handed.length).toBe(handedBefore);
    expect(await db.pushReceipt.count({ where: { sourceId: pushSourceId } })).toBe(1);
  });

  it('refuses a wrong or missing signature and a stale timestamp', async () => {
    const before = handed.length;
    expect(await push(BATCH, signPush('whsec_not-the-secret', BATCH, now()))).toMatchObject({
      status: 401,
      code: 'BAD_SIGNATURE',
    });
    expect(await push(`${BATCH} `, signPush(secret, BATCH, now()))).toMatchObject({ status: 401, code: 'BAD_SIGNATURE' });
    expect(await push(BATCH, null)).toMatchObject({ status: 401, code: 'BAD_SIGNATURE' });
    expect(await push(BATCH, signPush(secret, BATCH, now() - 600))).toMatchObject({ status: 401, code: 'STALE_TIMESTAMP' });
    expect(handed.length).toBe(before);
  });

  it('accepts the previous secret while a rotation overlaps', async () => {
    const next = newPushSecret();
    const rotated = rotatePushSecret({ kind: 'WEBHOOK_SECRET', secret }, next, new Date(), 60_000);
    await db.source.update({ where: { id: pushSourceId }, data: { credentials: sealCredentials(box, rotated, pushSourceId) } });
    const body = JSON.stringify({ events: [] });
    expect((await push(body, signPush(secret, body, now()))).status).toBe(200);
    expect((await push(body, signPush(next, body, now()))).status).toBe(200);
  });

  it('answers 404 alike for unknown ids and sources that take no pushes, 415 for a body that is not JSON, 413 past the cap', async () => {
    expect(await push(BATCH, signPush(secret, BATCH, now()), randomUUID())).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(await push(BATCH, signPush(secret, BATCH, now()), icalSourceId)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(await push(BATCH, signPush(secret, BATCH, now()), pushSourceId, 'text/plain')).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    const huge = JSON.stringify({ events: [{ title: 'x'.repeat(70 * 1024) }] });
    expect(await push(huge, signPush(secret, huge, now()))).toMatchObject({ status: 413, code: 'BODY_TOO_LARGE' });
    expect(await push(BATCH, signPush(secret, BATCH, now()), 'not-a-uuid')).toMatchObject({
      status: 400,
      code: 'BAD_USER_INPUT',
    });
  });

  it('lets a delivery the pipeline failed on be retried with the same signature', async () => {
    const body = JSON.stringify({ events: [{ id: 'p-2' }] });
    const signature = signPush(secret, body, now());
    failNext = true;
    expect((await push(body, signature)).status).toBe(500);
    expect((await push(body, signature)).status).toBe(200);
  });
});

describe('POST /ingest/upload', () => {
  const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n';
  const admin: Principal = { kind: 'user', id: randomUUID(), memberships: [{ organizationId: ORG, role: 'ADMIN' }], scopes: [] };
  const member: Principal = {
    kind: 'user',
    id: randomUUID(),
    memberships: [{ organizationId: ORG, role: 'MEMBER' }],
    scopes: [],
  };
  const upload = (sourceId: string, principal: Principal, contentType = 'text/calendar', body = ICS) =>
    call(`/ingest/upload?sourceId=${sourceId}`, { body, principal, headers: { 'content-type': contentType } });

  it('hands an admin’s file to the pipeline', async () => {
    const answer = await upload(icalSourceId, admin, 'text/calendar; charset=utf-8');
    expect(answer).toMatchObject({ status: 200, body: { trigger: 'UPLOAD', bytes: ICS.length } });
    expect(handed.at(-1)).toMatchObject({
      sourceId: icalSourceId,
      trigger: 'UPLOAD',
      contentType: 'text/calendar; charset=utf-8',
    });
    expect(handed.at(-1)!.body.toString('utf8')).toBe(ICS);
  });

  it('refuses anonymous callers, members without admin rights, the wrong media type and sources that are fetched', async () => {
    const before = handed.length;
    expect(await upload(icalSourceId, ANONYMOUS)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await upload(icalSourceId, member)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(await upload(icalSourceId, admin, 'text/csv')).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await upload(rssSourceId, admin)).toMatchObject({ status: 409, code: 'UPLOAD_NOT_ACCEPTED' });
    expect(await upload(randomUUID(), admin)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(handed.length).toBe(before);
  });
});
