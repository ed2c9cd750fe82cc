import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BusEvent } from '@eventgraph/runtime';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

/**
 * Large imports as they stream: on a PostgreSQL server through COPY into a staging table and set-based
 * checks, on PGlite in batches — the same report either way; NDJSON progress lines; what an upload cut off
 * midway leaves behind; tickets' upserts, wristbands and replacements the same on both paths.
 */

jest.setTimeout(180_000);

let platform: TestPlatform;
const ids: Record<string, string> = {};
const onServer = Boolean(process.env.DATABASE_URL);
const heard: BusEvent[] = [];

/** the import announcements heard so far for these external or nfc ids' event, once the bus has delivered them */
async function announced(topic: string, count: number): Promise<BusEvent[]> {
  for (let waited = 0; waited < 10_000; waited += 100) {
    const events = heard.filter((e) => e.topic === topic && e.payload.eventId === ids.event);
    if (events.length >= count) return events;
    await sleep(100);
  }
  return heard.filter((e) => e.topic === topic && e.payload.eventId === ids.event);
}

type Progress = { bytes: number; rows: number; stage: string };

type UploadOptions = { ndjson?: boolean; signal?: AbortSignal; route?: 'wristbands' | 'tickets'; type?: string };

/** POSTs a body to a gateway import route (wristbands, CSV, unless told otherwise); the answer as text. */
async function upload(query: string, body: AsyncIterable<string>, options: UploadOptions = {}) {
  const url = new URL(`/imports/${options.route ?? 'wristbands'}?eventId=${ids.event}&${query}`, platform.gateway.url);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.type ?? 'text/csv',
      authorization: `Bearer ${platform.devToken}`,
      ...(options.ndjson ? { accept: 'application/x-ndjson' } : {}),
    },
    body: Readable.from(body) as never,
    duplex: 'half',
    signal: options.signal,
  } as RequestInit);
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', text };
}

const count = async () =>
  (await platform.data(`query($e: ID!) { wristbands(eventId: $e, first: 1) { totalCount } }`, { e: ids.event })).wristbands
    .totalCount as number;
const lines = (...items: unknown[]) =>
  (async function* () {
    yield items.map((item) => JSON.stringify(item)).join('\n');
  })();

const wristband = async (nfc: string) =>
  (
    await platform.data<{ wristbandByNfcId: { category: string; assignedSeries: { id: string }[] } | null }>(
      `query($e: ID!, $n: String!) { wristbandByNfcId(eventId: $e, nfcId: $n) { category assignedSeries { id } } }`,
      { e: ids.event, n: nfc },
    )
  ).wristbandByNfcId;

beforeAll(async () => {
  platform = await startTestPlatform();
  platform.bus.subscribe('*.imported', (event) => void heard.push(event));
  const owner = (
    await platform.data(`mutation { createUser(input: { email: "stream-owner@example.com", displayName: "Owner" }) { id } }`)
  ).createUser.id;
  const org = (
    await platform.data(
      `mutation($u: ID!) { createOrganization(input: { name: "Stream", slug: "stream-import", ownerId: $u }) { id } }`,
      { u: owner },
    )
  ).createOrganization.id;
  const venue = (
    await platform.data(
      `mutation($o: ID!) { createVenue(input: { organizationId: $o, name: "Field", slug: "stream-field", timeZone: "Europe/Berlin" }) { id } }`,
      { o: org },
    )
  ).createVenue.id;
  ids.event = (
    await platform.data(
      `mutation($v: ID!) { createEvent(input: { venueId: $v, title: "Stream", slug: "stream-fest", startsAt: "2027-07-01T12:00:00Z", endsAt: "2027-07-03T23:00:00Z" }) { id } }`,
      { v: venue },
    )
  ).createEvent.id;
  ids.series = (
    await platform.data(
      `mutation($e: ID!) { createEventSeries(input: { eventId: $e, name: "Day 1", startsAt: "2027-07-01T12:00:00Z", endsAt: "2027-07-01T23:00:00Z", capacity: 100000 }) { id } }`,
      { e: ids.event },
    )
  ).createEventSeries.id;
  await platform.data(`mutation($e: ID!) { createWristband(input: { eventId: $e, nfcId: "TAKEN", category: "GA" }) { id } }`, {
    e: ids.event,
  });
}, 180_000);
afterAll(() => platform?.stop());

it('takes the path its database offers: COPY on a PostgreSQL server, batches on PGlite', () => {
  expect(platform.subgraphs.access!.sql.canCopy ?? false).toBe(onServer);
});

it('reports bad rows in the middle of a large file by line, and imports the rest with their series', async () => {
  const rows = 60_000;
  const bad = new Map<number, string>([
    [30_001, `"OPEN,GA\n`.replace('\n', '",x\n')], // a quote in the wrong place: MALFORMED_ROW
    [30_002, `M-30002,${'X'.repeat(41)},\n`], // category too long: INVALID_VALUE
    [30_003, `M-30003,GA,00000000-0000-4000-8000-000000000000\n`], // UNKNOWN_SERIES
    [30_004, `TAKEN,GA,\n`], // the event has it: DUPLICATE_NFC_ID, already exists
    [45_000, `M-2,CREW,\n`], // line 3 has it: DUPLICATE_NFC_ID, earlier in this file
  ]);
  async function* csv() {
    yield 'nfc_id,category,series\n';
    for (let line = 2; line <= rows + 1; line += 1000) {
      let chunk = '';
      for (let l = line; l < line + 1000; l++)
        chunk += bad.get(l) ?? `M-${l - 1},${l % 3 ? 'ga' : 'vip'},${l % 2 ? ids.series : ''}\n`;
      yield chunk;
    }
  }
  const { status, text } = await upload('mode=partial', csv());
  expect(status).toBe(200);
  const report = JSON.parse(text);
  expect(report).toMatchObject({ committed: true, rows, imported: rows - bad.size, failed: bad.size, errorsTruncated: false });
  expect(report.errors.map((e: { line: number; code: string; field: string | null }) => [e.line, e.code, e.field])).toEqual([
    [30_001, 'MALFORMED_ROW', null],
    [30_002, 'INVALID_VALUE', 'category'],
    [30_003, 'UNKNOWN_SERIES', 'series'],
    [30_004, 'DUPLICATE_NFC_ID', 'nfc_id'],
    [45_000, 'DUPLICATE_NFC_ID', 'nfc_id'],
  ]);
  expect(report.errors[3].message).toMatch(/already exists/);
  expect(report.errors[4].message).toMatch(/earlier in this file/);
  expect(await wristband('M-2')).toEqual({ category: 'VIP', assignedSeries: [{ id: ids.series }] }); // line 3's, not 45,000's
  expect(await wristband('M-59998')).toEqual({ category: 'GA', assignedSeries: [{ id: ids.series }] }); // line 59,999
  expect(await wristband('M-59999')).toEqual({ category: 'VIP', assignedSeries: [] });
  expect(await wristband('M-30003')).toBeNull();
  expect(await count()).toBe(1 + rows - bad.size);
  // one announcement of what was committed, with the event's organisation
  expect((await announced('wristbands.imported', 1)).map((e) => e.payload)).toEqual([
    expect.objectContaining({ eventId: ids.event, mode: 'PARTIAL', imported: rows - bad.size, failed: bad.size }),
  ]);
});

it('finds a repeat far down a large file (on PGlite in a later batch than the first)', async () => {
  async function* csv() {
    yield 'nfc_id,category,series\n';
    for (let start = 0; start < 110_000; start += 10_000) {
      let chunk = '';
      for (let i = start; i < start + 10_000; i++) chunk += i === 105_000 ? `S-10,GA,\n` : `S-${i},GA,${ids.series}\n`;
      yield chunk;
    }
  }
  const report = JSON.parse((await upload('mode=partial', csv())).text);
  expect(report).toMatchObject({ rows: 110_000, imported: 109_999, failed: 1 });
  expect(report.errors).toEqual([
    {
      line: 105_002,
      code: 'DUPLICATE_NFC_ID',
      field: 'nfc_id',
      message: expect.stringMatching(/^nfc id S-10 appears earlier in this file/),
    },
  ]);
  expect(await wristband('S-109999')).toEqual({ category: 'GA', assignedSeries: [{ id: ids.series }] });
});

it('keeps the first 1,000 errors by line and counts the rest, whatever step found them', async () => {
  // 1,500 unreadable rows at the end, 1,500 taken nfc ids (found after the file was read, on a server) before them
  async function* csv() {
    yield 'nfc_id,category\n';
    let chunk = '';
    for (let i = 1; i <= 1500; i++) chunk += `M-${i},GA\n`;
    for (let i = 1; i <= 1500; i++) chunk += `only-one-field\n`;
    yield chunk;
  }
  const report = JSON.parse((await upload('mode=partial', csv())).text);
  expect(report).toMatchObject({ rows: 3000, imported: 0, failed: 3000, errorsTruncated: true });
  expect(report.errors).toHaveLength(1000);
  expect(report.errors[0]).toMatchObject({ line: 2, code: 'DUPLICATE_NFC_ID' });
  expect(report.errors[999]).toMatchObject({ line: 1001, code: 'DUPLICATE_NFC_ID' });
});

it('streams NDJSON progress lines (bytes and rows so far) before the report when asked', async () => {
  async function* csv() {
    yield 'nfc_id,category\n';
    for (let i = 0; i < 4; i++) {
      let chunk = '';
      for (let n = 0; n < 5000; n++) chunk += `P-${i}-${n},GA\n`;
      yield chunk;
      await sleep(1100); // slower than the progress interval: a line while the file is still arriving
    }
  }
  const { status, type, text } = await upload('mode=all-or-nothing', csv(), { ndjson: true });
  expect(status).toBe(200);
  expect(type).toMatch(/^application\/x-ndjson/);
  const lines = text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const progress: Progress[] = lines.slice(0, -1).map((l) => l.progress);
  expect(lines.at(-1).report).toMatchObject({ mode: 'ALL_OR_NOTHING', committed: true, rows: 20_000, imported: 20_000 });
  expect(progress.length).toBeGreaterThanOrEqual(2);
  const reading = progress.filter((p) => p.stage === 'reading');
  expect(reading[0]!.rows).toBeGreaterThan(0);
  expect(reading[0]!.bytes).toBeGreaterThan(reading[0]!.rows * 8);
  for (let i = 1; i < progress.length; i++) {
    expect(progress[i]!.rows).toBeGreaterThanOrEqual(progress[i - 1]!.rows);
    expect(progress[i]!.bytes).toBeGreaterThanOrEqual(progress[i - 1]!.bytes);
  }
  // on a server the set-based steps after the last row say so; PGlite writes while it reads
  const stages = progress.map((p) => p.stage).filter((stage, i, all) => stage !== all[i - 1]);
  expect(stages).toEqual(onServer ? ['reading', 'checking', 'writing'] : ['reading']);
  // refusals before the first line keep their status
  const refused = await upload(
    'mode=partial',
    (async function* () {
      yield 'nfc,category\n';
    })(),
    { ndjson: true },
  );
  expect(refused.status).toBe(422);
  expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('MALFORMED_HEADER');
});

it('an upload cut off midway leaves nothing half-written', async () => {
  for (const mode of ['partial', 'all-or-nothing']) {
    const controller = new AbortController();
    async function* csv() {
      yield 'nfc_id,category,series\n';
      for (let i = 0; i < 10; i++) {
        let chunk = '';
        for (let n = 0; n < 2500; n++) chunk += `CUT-${mode}-${i}-${n},GA,${ids.series}\n`;
        yield chunk;
      }
      await sleep(500);
      controller.abort(); // 25,000 rows sent, the rest never comes
      await new Promise(() => {});
    }
    await expect(upload(`mode=${mode}`, csv(), { signal: controller.signal })).rejects.toThrow();
    await sleep(1500); // access notices the broken upload and rolls back
    const kept = await wristband(`CUT-${mode}-0-0`);
    // one transaction on a server; on PGlite a partial import commits batch by batch, as it always has
    if (onServer || mode === 'all-or-nothing') expect(kept).toBeNull();
    else expect(kept).toMatchObject({ category: 'GA' });
  }
  const before = (await announced('wristbands.imported', 0)).length;
  // the same rows again: the broken all-or-nothing attempt took none of them
  async function* again() {
    yield 'nfc_id,category\n';
    let chunk = '';
    for (let n = 0; n < 2500; n++) chunk += `CUT-all-or-nothing-0-${n},GA\n`;
    yield chunk;
  }
  expect(JSON.parse((await upload('mode=all-or-nothing', again())).text)).toMatchObject({ committed: true, imported: 2500 });
  // the broken attempts announced nothing; the whole one did
  const after = await announced('wristbands.imported', before + 1);
  expect(after.slice(before).map((e) => e.payload.imported)).toEqual([2500]);
});

it('imports tickets the same way: upserts by external id, new wristbands, replacements followed, repeats refused', async () => {
  const tickets = (query: string, body: AsyncIterable<string>, type = 'application/x-ndjson') =>
    upload(`source=tix&${query}`, body, { route: 'tickets', type }).then((r) => JSON.parse(r.text));
  const first = [
    { externalId: 'K-1', category: 'vip', nfcId: 'K-BAND', series: [ids.series] },
    { externalId: 'K-2', category: 'GA', nfcId: 'K-GONE', status: 'CANCELLED', series: [ids.series] },
    { externalId: 'K-3', category: 'GA', holderEmail: 'Kay@Example.com' },
  ];
  expect(await tickets('mode=partial', lines(...first))).toMatchObject({ created: 3, wristbandsCreated: 2, failed: 0 });
  expect((await announced('tickets.imported', 1))[0]!.payload).toMatchObject({ source: 'tix', created: 3, updated: 0 });
  expect(await wristband('K-BAND')).toEqual({ category: 'VIP', assignedSeries: [{ id: ids.series }] });
  expect(await wristband('K-GONE')).toEqual({ category: 'GA', assignedSeries: [] }); // a cancelled ticket assigns nothing
  // K-GONE is lost and replaced: a ticket naming it lands on the replacement, which it already has
  const gone = (await platform.data(`query($e: ID!) { wristbandByNfcId(eventId: $e, nfcId: "K-GONE") { id } }`, { e: ids.event }))
    .wristbandByNfcId.id;
  await platform.data(`mutation($id: ID!) { setWristbandStatus(id: $id, status: LOST) { status } }`, { id: gone });
  await platform.data(`mutation($id: ID!) { replaceWristband(id: $id, newNfcId: "K-NEW") { id } }`, { id: gone });
  // one JSON array on one line: the repeat is told by its line, and the first one counts
  const again = JSON.stringify([...first, { externalId: 'K-3', category: 'CREW' }, { ...first[2], holderName: 'Kay' }]);
  const report = await tickets('mode=partial', lines(JSON.parse(again)), 'application/json');
  expect(report).toMatchObject({ created: 0, updated: 0, unchanged: 3, wristbandsCreated: 0, failed: 2 });
  expect(report.errors).toEqual([
    { line: 1, code: 'DUPLICATE_EXTERNAL_ID', field: 'externalId', message: expect.stringMatching(/K-3 appears earlier/) },
    { line: 1, code: 'DUPLICATE_EXTERNAL_ID', field: 'externalId', message: expect.stringMatching(/K-3 appears earlier/) },
  ]);
  const changed = await tickets('mode=all-or-nothing', lines({ ...first[0], series: [] }, { ...first[1], status: 'VALID' }));
  expect(changed).toMatchObject({ committed: true, created: 0, updated: 2, unchanged: 0 });
  const stored = await platform.data(
    `query($e: ID!) { tickets(eventId: $e, source: "tix", first: 10) { edges { node { externalId status holderEmail wristband { nfcId } series { id } } } } }`,
    { e: ids.event },
  );
  const byId = Object.fromEntries(stored.tickets.edges.map((e: { node: { externalId: string } }) => [e.node.externalId, e.node]));
  expect(byId['K-1']).toMatchObject({ wristband: { nfcId: 'K-BAND' }, series: [] });
  expect(byId['K-2']).toMatchObject({ status: 'VALID', wristband: { nfcId: 'K-NEW' }, series: [{ id: ids.series }] });
  expect(byId['K-3']).toMatchObject({ holderEmail: 'kay@example.com', wristband: null });
  expect(await wristband('K-NEW')).toEqual({ category: 'GA', assignedSeries: [{ id: ids.series }] }); // valid now
});
