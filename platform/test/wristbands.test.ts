import { Readable } from 'node:stream';
import { addMember, as, createOrganization, signUp, type Account } from './support/accounts';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

/** Wristbands, bulk imports (GraphQL and the gateway's streamed routes) and tickets, organisation by organisation. */

jest.setTimeout(120_000);

let platform: TestPlatform;
const people: Record<string, Account> = {};
const ids: Record<string, string> = {};

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] };
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code ?? 'OK';
const call = (who: string, query: string, variables?: Record<string, unknown>) =>
  as(platform, people[who]!)(query, variables).then((r) => r.body as Body);
const data = async (who: string, query: string, variables?: Record<string, unknown>) => {
  const body = await call(who, query, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};

/** POSTs a streamed body to a gateway import route. */
async function upload(who: string | null, path: string, body: AsyncIterable<string> | string, contentType = 'text/csv') {
  const response = await fetch(new URL(path, platform.gateway.url), {
    method: 'POST',
    headers: { 'content-type': contentType, ...(who ? { authorization: `Bearer ${people[who]!.accessToken}` } : {}) },
    body: (typeof body === 'string' ? body : Readable.from(body)) as never,
    duplex: 'half',
  } as RequestInit);
  return { status: response.status, body: (await response.json()) as any };
}

const Q = {
  venue: `mutation($org: ID!, $slug: String!) { createVenue(input: { organizationId: $org, name: "Field", slug: $slug, timeZone: "Europe/Berlin" }) { id } }`,
  event: `mutation($venue: ID!, $slug: String!) { createEvent(input: { venueId: $venue, title: "Fest", slug: $slug, startsAt: "2027-07-01T12:00:00Z", endsAt: "2027-07-03T23:00:00Z" }) { id } }`,
  series: `mutation($event: ID!, $name: String!, $starts: DateTime = "2027-07-01T12:00:00Z", $ends: DateTime = "2027-07-01T23:00:00Z") { createEventSeries(input: { eventId: $event, name: $name, startsAt: $starts, endsAt: $ends, capacity: 100000 }) { id } }`,
  wristband: `mutation($event: ID!, $nfc: String!) { createWristband(input: { eventId: $event, nfcId: $nfc, category: "GA" }) { id } }`,
  byNfc: `query($event: ID!, $nfc: String!) { wristbandByNfcId(eventId: $event, nfcId: $nfc) { id nfcId category status assignedSeries { id } tickets { externalId } } }`,
  importWristbands: `mutation($event: ID!, $csv: String!, $all: Boolean) { importWristbands(eventId: $event, csv: $csv, allOrNothing: $all) { committed rows imported failed errors { line code field message } errorsTruncated } }`,
  importTickets: `mutation($event: ID!, $data: String!, $format: TicketImportFormat!, $all: Boolean) { importTickets(eventId: $event, source: "tix", format: $format, data: $data, allOrNothing: $all) { committed rows created updated unchanged failed wristbandsCreated errors { line code field } } }`,
  setStatus: `mutation($id: ID!, $status: WristbandStatus!, $reason: String) { setWristbandStatus(id: $id, status: $status, reason: $reason) { status } }`,
  replace: `mutation($id: ID!, $nfc: String!) { replaceWristband(id: $id, newNfcId: $nfc, reason: "lost at the bar") { id nfcId category status assignedSeries { id } tickets { externalId }
    replaces { id status replacedBy { id } statusHistory { from to actorKind actorId reason } } } }`,
  assign: `mutation($series: ID!, $ids: [ID!], $nfcs: [String!], $category: String) { assignWristbands(seriesId: $series, wristbandIds: $ids, nfcIds: $nfcs, category: $category) { assigned alreadyAssigned failed errors { index value code } } }`,
};

let slugs = 0;
const slug = () => `w-${Date.now().toString(36)}-${slugs++}`;

beforeAll(async () => {
  platform = await startTestPlatform();
  for (const name of ['ownerA', 'viewerA', 'ownerB']) people[name] = await signUp(platform, name);
  ids.orgA = await createOrganization(platform, people.ownerA!, 'wa');
  ids.orgB = await createOrganization(platform, people.ownerB!, 'wb');
  await addMember(platform, people.ownerA!, ids.orgA, people.viewerA!, 'VIEWER');
  for (const [org, owner, key] of [
    [ids.orgA, 'ownerA', 'A'],
    [ids.orgB, 'ownerB', 'B'],
  ] as const) {
    const venue = (await data(owner, Q.venue, { org, slug: slug() })).createVenue.id;
    ids[`event${key}`] = (await data(owner, Q.event, { venue, slug: slug() })).createEvent.id;
    ids[`series${key}`] = (await data(owner, Q.series, { event: ids[`event${key}`], name: 'Day 1' })).createEventSeries.id;
  }
  ids.seriesA2 = (
    await data('ownerA', Q.series, {
      event: ids.eventA,
      name: 'Day 2',
      starts: '2027-07-02T12:00:00Z',
      ends: '2027-07-02T23:00:00Z',
    })
  ).createEventSeries.id;
  const otherEvent = (
    await data('ownerA', Q.event, {
      venue: (await data('ownerA', Q.venue, { org: ids.orgA, slug: slug() })).createVenue.id,
      slug: slug(),
    })
  ).createEvent.id;
  ids.seriesOtherEvent = (await data('ownerA', Q.series, { event: otherEvent, name: 'Elsewhere' })).createEventSeries.id;
  ids.existing = (await data('ownerA', Q.wristband, { event: ids.eventA, nfc: 'EXISTING' })).createWristband.id;
}, 180_000);
afterAll(() => platform?.stop());

describe('streamed CSV import through the gateway', () => {
  it('imports 20,000 rows in partial mode, reporting each bad line with its code', async () => {
    const bad = new Map<number, string>([
      [3, `BROKEN"QUOTE,GA,\n`],
      [10, `,GA,\n`],
      [4000, `HTTP-1,GA,\n`], // line 2 has HTTP-1: a duplicate across batches
      [5000, `EXISTING,GA,\n`],
      [6000, `U-6000,GA,${'00000000-0000-4000-8000-000000000000'}\n`],
      [7000, `U-7000,GA,${ids.seriesOtherEvent}\n`],
      [8000, `U-8000,GA,${ids.seriesB}\n`], // another organisation's series is as unknown as none
    ]);
    async function* rows() {
      yield 'nfc_id,category,series\r\n';
      for (let line = 2; line <= 20_001; line++)
        yield (
          bad.get(line) ??
          `HTTP-${line - 1},${line % 10 === 0 ? 'VIP' : 'ga'},${line % 2 ? `${ids.seriesA};${ids.seriesA2}` : ''}\r\n`
        );
    }
    const { status, body } = await upload('ownerA', `/imports/wristbands?eventId=${ids.eventA}`, rows());
    expect(status).toBe(200);
    expect(body).toMatchObject({
      mode: 'PARTIAL',
      committed: true,
      rows: 20_000,
      imported: 20_000 - bad.size,
      failed: bad.size,
      errorsTruncated: false,
    });
    expect(body.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([
      [3, 'MALFORMED_ROW'],
      [10, 'MISSING_FIELD'],
      [4000, 'DUPLICATE_NFC_ID'],
      [5000, 'DUPLICATE_NFC_ID'],
      [6000, 'UNKNOWN_SERIES'],
      [7000, 'SERIES_OF_OTHER_EVENT'],
      [8000, 'UNKNOWN_SERIES'],
    ]);
    expect(body.errors[2].message).toMatch(/earlier in this file/);
    expect(body.errors[3].message).toMatch(/already exists/);
    const { wristbandByNfcId } = await data('ownerA', Q.byNfc, { event: ids.eventA, nfc: 'HTTP-4' });
    expect(wristbandByNfcId).toMatchObject({ category: 'GA', status: 'ACTIVE' });
    expect(wristbandByNfcId.assignedSeries.map((s: { id: string }) => s.id).sort()).toEqual([ids.seriesA, ids.seriesA2].sort());
    const pageQuery = `query($e: ID!, $after: String) { wristbands(eventId: $e, first: 3, category: "vip", after: $after) { totalCount edges { node { nfcId category } } pageInfo { hasNextPage endCursor } } }`;
    const page = (await data('ownerA', pageQuery, { e: ids.eventA })).wristbands;
    const next = (await data('ownerA', pageQuery, { e: ids.eventA, after: page.pageInfo.endCursor })).wristbands;
    expect([page.edges.length, page.pageInfo.hasNextPage, next.edges.length]).toEqual([3, true, 3]);
    expect(page.totalCount).toBeGreaterThanOrEqual(6);
    const seen = [...page.edges, ...next.edges].map((e: { node: { nfcId: string; category: string } }) => e.node);
    expect(new Set(seen.map((w) => w.nfcId)).size).toBe(6);
    expect(seen.every((w) => w.category === 'VIP')).toBe(true);
    expect(codeOf(await call('ownerA', pageQuery.replace('first: 3', 'first: 101'), { e: ids.eventA }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await call('ownerA', pageQuery, { e: ids.eventA, after: 'bm90LWEtY3Vyc29y' }))).toBe('BAD_USER_INPUT');
  });

  it('all-or-nothing: one bad row among 20,000 and nothing is imported', async () => {
    async function* rows() {
      yield 'nfc_id,category\n';
      for (let i = 1; i <= 20_000; i++) yield i === 19_999 ? `AON-${i}\n` : `AON-${i},GA\n`;
    }
    const { status, body } = await upload('ownerA', `/imports/wristbands?eventId=${ids.eventA}&mode=all-or-nothing`, rows());
    expect(status).toBe(200);
    expect(body).toMatchObject({ mode: 'ALL_OR_NOTHING', committed: false, rows: 20_000, imported: 0, failed: 1 });
    expect(body.errors).toEqual([
      { line: 20_000, code: 'MALFORMED_ROW', field: null, message: expect.stringMatching(/expected 2 fields/) },
    ]);
    expect((await data('ownerA', Q.byNfc, { event: ids.eventA, nfc: 'AON-1' })).wristbandByNfcId).toBeNull();
  });

  it('refuses bad requests with a stable code: header, mode, credential, role', async () => {
    const csv = 'nfc,category\nX,GA\n';
    expect(await upload('ownerA', `/imports/wristbands?eventId=${ids.eventA}`, csv)).toMatchObject({
      status: 422,
      body: { errors: [{ extensions: { code: 'MALFORMED_HEADER' } }] },
    });
    expect(
      (await upload('ownerA', `/imports/wristbands?eventId=${ids.eventA}&mode=maybe`, csv)).body.errors[0].extensions.code,
    ).toBe('BAD_USER_INPUT');
    expect((await upload('ownerA', `/imports/wristbands?eventId=nope`, csv)).status).toBe(400);
    expect((await upload(null, `/imports/wristbands?eventId=${ids.eventA}`, csv)).status).toBe(401);
    expect(await upload('viewerA', `/imports/wristbands?eventId=${ids.eventA}`, 'nfc_id,category\nV,GA\n')).toMatchObject({
      status: 403,
      body: { errors: [{ extensions: { code: 'FORBIDDEN' } }] },
    });
    expect((await upload('ownerA', `/imports/nothing`, csv)).status).toBe(404);
  });

  it('reads only the content types it accepts (415 UNSUPPORTED_MEDIA_TYPE otherwise)', async () => {
    const rows = 'nfc_id,category\nMEDIA-1,GA\n';
    const unsupported = { status: 415, body: { errors: [{ extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] } };
    // curl --data sends a form; a spreadsheet is not CSV; JSON is for tickets only
    for (const type of ['application/x-www-form-urlencoded', 'application/vnd.ms-excel', 'application/json'])
      expect(await upload('ownerA', `/imports/wristbands?eventId=${ids.eventA}`, rows, type)).toMatchObject(unsupported);
    expect(
      await upload('ownerA', `/imports/tickets?eventId=${ids.eventA}&source=media&format=json`, '[]', 'text/csv'),
    ).toMatchObject(unsupported);
    expect(
      await upload(
        'ownerA',
        `/imports/tickets?eventId=${ids.eventA}&source=media&format=csv`,
        'external_id\n',
        'application/json',
      ),
    ).toMatchObject(unsupported);
    expect(await upload('ownerA', `/imports/tickets?eventId=${ids.eventA}&source=media`, '[]', 'image/png')).toMatchObject(
      unsupported,
    );
    // nothing was imported by the refused requests
    expect((await data('ownerA', Q.byNfc, { event: ids.eventA, nfc: 'MEDIA-1' })).wristbandByNfcId).toBeNull();
    expect(await upload('ownerA', `/imports/wristbands?eventId=${ids.eventA}`, rows, 'text/csv; charset=utf-8')).toMatchObject({
      status: 200,
      body: { imported: 1 },
    });
    expect(
      await upload(
        'ownerA',
        `/imports/tickets?eventId=${ids.eventA}&source=media`,
        '{"externalId":"M-1","category":"GA"}\n',
        'application/x-ndjson',
      ),
    ).toMatchObject({ status: 200, body: { created: 1 } });
  });
});

describe('GraphQL imports, lifecycle and assignment', () => {
  it('small imports share the same rules; all-or-nothing leaves nothing', async () => {
    const csv = 'nfc_id,category\nG-1,GA\nG-2,VIP\nG-1,GA\n';
    const all = (await data('ownerA', Q.importWristbands, { event: ids.eventA, csv, all: true })).importWristbands;
    expect(all).toMatchObject({
      committed: false,
      imported: 0,
      failed: 1,
      errors: [{ line: 4, code: 'DUPLICATE_NFC_ID', field: 'nfc_id' }],
    });
    expect((await data('ownerA', Q.byNfc, { event: ids.eventA, nfc: 'G-1' })).wristbandByNfcId).toBeNull();
    const partial = (await data('ownerA', Q.importWristbands, { event: ids.eventA, csv })).importWristbands;
    expect(partial).toMatchObject({ committed: true, rows: 3, imported: 2, failed: 1 });
    expect(codeOf(await call('ownerA', Q.wristband, { event: ids.eventA, nfc: 'G-2' }))).toBe('DUPLICATE_NFC_ID');
  });

  it('replacing a lost wristband keeps the history and moves series and tickets to the new one', async () => {
    const old = (await data('ownerA', Q.byNfc, { event: ids.eventA, nfc: 'HTTP-6' })).wristbandByNfcId;
    await data('ownerA', Q.importTickets, {
      event: ids.eventA,
      format: 'CSV',
      data: 'external_id,category,nfc_id\nT-OLD,GA,HTTP-6\n',
    });
    expect(await data('ownerA', Q.setStatus, { id: old.id, status: 'LOST', reason: 'reported at info desk' })).toEqual({
      setWristbandStatus: { status: 'LOST' },
    });
    expect(codeOf(await call('ownerA', Q.setStatus, { id: old.id, status: 'REPLACED' }))).toBe('ILLEGAL_TRANSITION');
    expect(codeOf(await call('ownerA', Q.replace, { id: old.id, nfc: 'HTTP-8' }))).toBe('DUPLICATE_NFC_ID');
    const { replaceWristband: fresh } = await data('ownerA', Q.replace, { id: old.id, nfc: 'NEW-3' });
    expect(fresh).toMatchObject({ nfcId: 'NEW-3', category: 'GA', status: 'ACTIVE', tickets: [{ externalId: 'T-OLD' }] });
    expect(fresh.assignedSeries.map((s: { id: string }) => s.id).sort()).toEqual([ids.seriesA, ids.seriesA2].sort());
    expect(fresh.replaces).toEqual({
      id: old.id,
      status: 'REPLACED',
      replacedBy: { id: fresh.id },
      statusHistory: [
        { from: 'ACTIVE', to: 'LOST', actorKind: 'user', actorId: people.ownerA!.id, reason: 'reported at info desk' },
        { from: 'LOST', to: 'REPLACED', actorKind: 'user', actorId: people.ownerA!.id, reason: 'lost at the bar' },
      ],
    });
    expect(codeOf(await call('ownerA', Q.replace, { id: old.id, nfc: 'NEW-3b' }))).toBe('ILLEGAL_TRANSITION');
    expect(codeOf(await call('ownerA', Q.setStatus, { id: old.id, status: 'ACTIVE' }))).toBe('ILLEGAL_TRANSITION');
  });

  it('assigns in bulk, idempotently, with an error per unknown nfc id', async () => {
    const series = ids.seriesB; // wrong organisation: invisible
    expect(codeOf(await call('ownerA', Q.assign, { series, nfcs: ['HTTP-4'] }))).toBe('NOT_FOUND');
    const first = (await data('ownerA', Q.assign, { series: ids.seriesA2, nfcs: ['HTTP-4', 'HTTP-5', 'NOPE', 'HTTP-6'] }))
      .assignWristbands;
    expect(first).toEqual({
      assigned: 1, // HTTP-5; HTTP-4 was assigned by the import already
      alreadyAssigned: 1,
      failed: 2,
      errors: [
        { index: 2, value: 'NOPE', code: 'UNKNOWN_NFC_ID' },
        { index: 3, value: 'HTTP-6', code: 'WRISTBAND_REPLACED' },
      ],
    });
    const byCategory = (await data('ownerA', Q.assign, { series: ids.seriesA2, category: 'vip' })).assignWristbands;
    // every tenth row of the streamed file but the bad ones (10, 4000, …, 8000), and G-2
    expect(byCategory.assigned + byCategory.alreadyAssigned).toBe(2_000 - 6 + 1);
    expect((await data('ownerA', Q.assign, { series: ids.seriesA2, category: 'VIP' })).assignWristbands).toMatchObject({
      assigned: 0,
    });
    expect(codeOf(await call('ownerA', Q.assign, { series: ids.seriesA2 }))).toBe('BAD_USER_INPUT');
  });
});

describe('tickets', () => {
  it('imports CSV and JSON idempotently, linking and creating wristbands', async () => {
    const text = [
      'external_id,category,holder_name,holder_email,nfc_id,series',
      `T-1,GA,Ada,ada@example.com,HTTP-6,${ids.seriesA2}`,
      `T-2,VIP,Bo,,TIX-NEW,${ids.seriesA}`,
      `T-3,GA,,,,`,
      `T-4,GA,,not-an-email,,`,
    ].join('\n');
    const first = (await data('ownerA', Q.importTickets, { event: ids.eventA, format: 'CSV', data: text })).importTickets;
    expect(first).toMatchObject({
      committed: true,
      rows: 4,
      created: 3,
      updated: 0,
      unchanged: 0,
      failed: 1,
      wristbandsCreated: 1,
      errors: [{ line: 5, code: 'INVALID_VALUE', field: 'holderEmail' }],
    });
    const again = (await data('ownerA', Q.importTickets, { event: ids.eventA, format: 'CSV', data: text })).importTickets;
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3, wristbandsCreated: 0 });
    const created = (await data('ownerA', Q.byNfc, { event: ids.eventA, nfc: 'TIX-NEW' })).wristbandByNfcId;
    expect(created).toMatchObject({ category: 'VIP', assignedSeries: [{ id: ids.seriesA }], tickets: [{ externalId: 'T-2' }] });

    // the same tickets as JSON through the streamed route: one changed, one cancelled, one new; a repeated id in the file
    const json = JSON.stringify(
      [
        {
          externalId: 'T-1',
          category: 'GA',
          holderName: 'Ada L.',
          holderEmail: 'ada@example.com',
          nfcId: 'HTTP-6',
          series: [ids.seriesA2],
        },
        { externalId: 'T-2', category: 'VIP', holderName: 'Bo', nfcId: 'TIX-NEW', series: [ids.seriesA], status: 'CANCELLED' },
        { externalId: 'T-3', category: 'GA' },
        { externalId: 'T-5', category: 'GA', series: `${ids.seriesOtherEvent}` },
        { externalId: 'T-3', category: 'GA' },
      ],
      null,
      1,
    );
    const { status, body } = await upload(
      'ownerA',
      `/imports/tickets?eventId=${ids.eventA}&source=tix`,
      json,
      'application/json',
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ created: 0, updated: 2, unchanged: 1, failed: 2 });
    expect(body.errors.map((e: { code: string }) => e.code)).toEqual(['SERIES_OF_OTHER_EVENT', 'DUPLICATE_EXTERNAL_ID']);
    const tickets = await data(
      'ownerA',
      `query($e: ID!) { tickets(eventId: $e, source: "tix", first: 10) { totalCount edges { node { externalId status holderName wristband { nfcId status } series { id } } } pageInfo { hasNextPage } } }`,
      { e: ids.eventA },
    );
    const nodes = tickets.tickets.edges.map((e: { node: unknown }) => e.node);
    expect(tickets.tickets).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: false } });
    const t2 = nodes.find((t: { externalId: string }) => t.externalId === 'T-2');
    // a cancelled ticket suspends nothing by itself: the wristband may carry other tickets
    expect(t2).toMatchObject({ status: 'CANCELLED', wristband: { nfcId: 'TIX-NEW', status: 'ACTIVE' } });
    expect(nodes.map((t: { externalId: string }) => t.externalId).sort()).toEqual(['T-1', 'T-2', 'T-3', 'T-OLD']);
  });
});

describe('another organisation sees and changes nothing', () => {
  it('reads null, changes NOT_FOUND, imports NOT_FOUND', async () => {
    const { wristbandByNfcId: own } = await data('ownerA', Q.byNfc, { event: ids.eventA, nfc: 'HTTP-8' });
    const ticketId = (
      await data('ownerA', `query($e: ID!) { tickets(eventId: $e, first: 1) { edges { node { id } } } }`, { e: ids.eventA })
    ).tickets.edges[0].node.id;
    const read = await data(
      'ownerB',
      `query($id: ID!, $e: ID!, $t: ID!) { wristband(id: $id) { id } wristbandByNfcId(eventId: $e, nfcId: "HTTP-8") { id } wristbands(eventId: $e) { edges { node { id } } } ticket(id: $t) { id } tickets(eventId: $e) { edges { node { id } } } }`,
      { id: own.id, e: ids.eventA, t: ticketId },
    );
    expect(read).toEqual({ wristband: null, wristbandByNfcId: null, wristbands: null, ticket: null, tickets: null });
    expect(codeOf(await call('ownerB', Q.setStatus, { id: own.id, status: 'SUSPENDED' }))).toBe('NOT_FOUND');
    expect(codeOf(await call('ownerB', Q.replace, { id: own.id, nfc: 'STOLEN' }))).toBe('NOT_FOUND');
    expect(codeOf(await call('ownerB', Q.assign, { series: ids.seriesA, nfcs: ['HTTP-8'] }))).toBe('NOT_FOUND');
    expect((await data('ownerB', Q.assign, { series: ids.seriesB, ids: [own.id] })).assignWristbands).toMatchObject({
      assigned: 0,
      errors: [{ index: 0, code: 'NOT_FOUND' }],
    });
    expect(codeOf(await call('ownerB', Q.importWristbands, { event: ids.eventA, csv: 'nfc_id,category\nB-1,GA\n' }))).toBe(
      'NOT_FOUND',
    );
    expect(codeOf(await call('ownerB', Q.importTickets, { event: ids.eventA, format: 'JSON', data: '[]' }))).toBe('NOT_FOUND');
    expect(
      (await upload('ownerB', `/imports/tickets?eventId=${ids.eventA}&source=tix`, '[]', 'application/json')).body.errors[0]
        .extensions.code,
    ).toBe('NOT_FOUND');
    // the same nfc id in B's own event is B's business
    expect(
      (await data('ownerB', Q.importWristbands, { event: ids.eventB, csv: 'nfc_id,category\nHTTP-8,GA\n' })).importWristbands,
    ).toMatchObject({ imported: 1 });
    expect((await data('ownerA', Q.setStatus, { id: own.id, status: 'SUSPENDED' })).setWristbandStatus).toEqual({
      status: 'SUSPENDED',
    });
  });
});
