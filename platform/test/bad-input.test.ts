import { createDemoWorld } from './support/demo-data';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;

beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createDemoWorld(platform);
});
afterAll(() => platform?.stop());

/** The first error's code and message, asserting nothing internal leaked into the response. */
async function firstError(query: string, variables?: Record<string, unknown>) {
  const { status, body } = await platform.request(query, variables);
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/stacktrace|prisma|SELECT |INSERT |at Object\.|node_modules/i);
  expect(body.errors?.length).toBeGreaterThan(0);
  const [error] = body.errors!;
  return { status, code: error!.extensions?.code, message: error!.message, error: error!, data: body.data };
}

describe('requests that never reach a resolver', () => {
  it('rejects malformed GraphQL with GRAPHQL_PARSE_FAILED', async () => {
    const { status, code } = await firstError('{ event(id: "x" { title }');
    expect(status).toBe(400);
    expect(code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('rejects unknown fields with GRAPHQL_VALIDATION_FAILED naming the field', async () => {
    const { code, message } = await firstError('{ events { edges { node { title nickname } } } }');
    expect(code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(message).toContain('nickname');
  });

  it('rejects wrong variable types with BAD_USER_INPUT', async () => {
    const { code, message } = await firstError('query($first: Int) { events(first: $first) { totalCount } }', { first: 'ten' });
    expect(code).toBe('BAD_USER_INPUT');
    expect(message).toContain('$first');
  });

  it('rejects a body that is not JSON', async () => {
    const response = await fetch(platform.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'BAD_REQUEST',
    );
  });
});

describe('input the domain refuses', () => {
  it('rejects an id that is not an id, naming the argument', async () => {
    const { code, message } = await firstError('{ event(id: "42") { title } }');
    expect(code).toBe('BAD_USER_INPUT');
    expect(message).toMatch(/^id: /);
  });

  it('answers NOT_FOUND-free null for a well-formed id that does not exist', async () => {
    const data = await platform.data('{ event(id: "00000000-0000-4000-8000-000000000000") { title } }');
    expect(data.event).toBeNull();
  });

  it('rejects inverted and zero-length event times', async () => {
    for (const endsAt of ['2027-07-01T13:00:00Z', '2027-07-01T14:00:00Z']) {
      const { code, message } = await firstError(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
        input: { venueId: world.venue.id, title: 'Backwards', slug: 'backwards', startsAt: '2027-07-01T14:00:00Z', endsAt },
      });
      expect(code).toBe('BAD_USER_INPUT');
      expect(message).toMatch(/^endsAt: /);
    }
  });

  it('rejects an unknown time zone', async () => {
    const { code, message } = await firstError(`mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, {
      input: { organizationId: world.org.id, name: 'Nowhere', slug: 'nowhere', timeZone: 'Mars/Olympus_Mons' },
    });
    expect(code).toBe('BAD_USER_INPUT');
    expect(message).toMatch(/^timeZone: /);
  });

  it('rejects a malformed date-time', async () => {
    const { code } = await firstError(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
      input: { venueId: world.venue.id, title: 'Soon', slug: 'soon', startsAt: 'tomorrow', endsAt: '2027-07-01T14:00:00Z' },
    });
    expect(code).toBe('BAD_USER_INPUT');
  });

  it('answers a duplicate slug with CONFLICT and writes nothing', async () => {
    const input = { organizationId: world.org.id, name: 'Second stage', slug: 'second-stage', timeZone: 'Europe/Berlin' };
    await platform.data(`mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, { input });
    const { code, message } = await firstError(`mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, {
      input,
    });
    expect(code).toBe('CONFLICT');
    expect(message).toContain('slug');
    const { organization } = await platform.data(`query($id: ID!) { organization(id: $id) { venues { slug } } }`, {
      id: world.org.id,
    });
    expect(organization.venues.filter((v: { slug: string }) => v.slug === 'second-stage')).toHaveLength(1);
  });

  it('rejects an illegal lifecycle transition with ILLEGAL_TRANSITION and leaves the status as it was', async () => {
    const { code, message, error } = await firstError(`mutation($id: ID!) { transitionEvent(id: $id, to: ON_SALE) { status } }`, {
      id: world.event.id,
    });
    expect(code).toBe('ILLEGAL_TRANSITION');
    expect(message).toContain('DRAFT');
    expect(error.extensions).toMatchObject({ from: 'DRAFT', to: 'ON_SALE' });
    const data = await platform.data(`query($id: ID!) { event(id: $id) { status } }`, { id: world.event.id });
    expect(data.event.status).toBe('DRAFT');
  });

  it('rejects a page size over the maximum, and a cursor that is none', async () => {
    const { code, message } = await firstError('{ events(first: 101) { totalCount } }');
    expect(code).toBe('BAD_USER_INPUT');
    expect(message).toMatch(/^first: /);
    const cursor = await firstError('{ events(after: "bm90LWEtY3Vyc29y") { totalCount } }');
    expect(cursor).toMatchObject({ code: 'BAD_USER_INPUT', error: { extensions: { field: 'after' } } });
  });

  it('rejects a gate of another event in a series', async () => {
    const { createEvent: other } = await platform.data(
      `mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`,
      {
        input: {
          venueId: world.venue.id,
          title: 'Other',
          slug: 'other-event',
          startsAt: '2027-08-01T14:00:00Z',
          endsAt: '2027-08-01T20:00:00Z',
        },
      },
    );
    const { code } = await firstError(`mutation($input: CreateEventSeriesInput!) { createEventSeries(input: $input) { id } }`, {
      input: {
        eventId: other.id,
        name: 'Day X',
        startsAt: '2027-08-01T14:00:00Z',
        endsAt: '2027-08-01T20:00:00Z',
        capacity: 10,
        gateIds: [world.gate.id],
      },
    });
    expect(code).toBe('GATE_OF_OTHER_EVENT');
  });
});

describe('input hygiene (text PostgreSQL cannot store, impossible dates, ranges, time zones)', () => {
  const createEvent = `mutation($input: CreateEventInput!) { createEvent(input: $input) { id startsAt } }`;
  const eventInput = (change: Record<string, unknown>) => ({
    input: { venueId: world.venue.id, title: 'Hygiene', slug: 'hygiene', startsAt: '2027-07-01T14:00:00Z', ...change },
  });

  it('refuses a NUL byte at sign-up and in an event title with BAD_USER_INPUT naming the field, writing nothing', async () => {
    const signUp = await firstError(`mutation($input: SignUpInput!) { signUp(input: $input) { __typename } }`, {
      input: { email: 'nul@example.com', password: 'correct horse battery staple', displayName: 'Nu\u0000ll' },
    });
    expect(signUp).toMatchObject({ code: 'BAD_USER_INPUT', error: { extensions: { field: 'input.displayName' } } });
    const title = await firstError(createEvent, eventInput({ title: 'Sum\u0000mer', endsAt: '2027-07-01T15:00:00Z' }));
    expect(title).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/^input\.title: .*U\+0000/) });
    const literal = await firstError(`{ event(id: "\\u0000") { id } }`);
    expect(literal).toMatchObject({ code: 'BAD_USER_INPUT', error: { extensions: { field: 'id' } } });
    const { organization } = await platform.data(
      `query($id: ID!) { organization(id: $id) { events(first: 100) { edges { node { slug } } } } }`,
      { id: world.org.id },
    );
    expect(organization.events.edges.map((e: { node: { slug: string } }) => e.node.slug)).not.toContain('hygiene');
  });

  it('refuses impossible dates and absurd years instead of shifting them', async () => {
    for (const [startsAt, reason] of [
      ['2027-02-30T10:00:00Z', /is not a day of the calendar/],
      ['2027-07-01T24:00:00Z', /is not a time of day/],
      ['0001-01-01T10:00:00Z', /outside the years 1900–9999/],
    ] as const) {
      const { code, message, error } = await firstError(createEvent, eventInput({ startsAt, endsAt: '2027-07-02T15:00:00Z' }));
      expect(code).toBe('BAD_USER_INPUT');
      expect(message).toMatch(reason);
      expect(error.extensions?.field).toBe('input.startsAt');
    }
    const literal = await firstError(`{ searchEvents(filter: { from: "2027-02-29T00:00:00Z" }) { totalCount } }`);
    // a literal is checked while the document is validated
    expect(literal).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: expect.stringMatching(/not a day of the calendar/),
    });
    const day = await firstError(`{ searchEvents(filter: { fromDate: "0001-01-01" }) { totalCount } }`);
    expect(day).toMatchObject({ code: 'BAD_USER_INPUT', error: { extensions: { field: 'fromDate' } } });
  });

  it('says the range of a capacity beyond it, in the domain and past the Int column', async () => {
    const series = `mutation($input: CreateEventSeriesInput!) { createEventSeries(input: $input) { id } }`;
    const input = (capacity: number) => ({
      input: {
        eventId: world.event.id,
        name: 'Huge',
        startsAt: '2027-07-01T14:00:00Z',
        endsAt: '2027-07-01T20:00:00Z',
        capacity,
      },
    });
    const domain = await firstError(series, input(2_147_483_647));
    expect(domain).toMatchObject({ code: 'BAD_USER_INPUT', message: 'capacity: must be a whole number from 0 to 10,000,000' });
    const column = await firstError(series, input(3_000_000_000));
    expect(column).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', error: { extensions: { field: 'input.capacity' } } });
    expect(column.message).toMatch(/from -2147483648 to 2147483647/);
  });

  it('canonicalises time-zone names and refuses unknown ones naming the field', async () => {
    const { createVenue } = await platform.data(
      `mutation($input: CreateVenueInput!) { createVenue(input: $input) { timeZone } }`,
      { input: { organizationId: world.org.id, name: 'Lower case', slug: 'lower-case', timeZone: 'europe/berlin' } },
    );
    expect(createVenue.timeZone).toBe('Europe/Berlin');
    await platform.data(`{ searchEvents(filter: { fromDate: "2027-07-01", timeZone: "EUROPE/BERLIN" }) { totalCount } }`);
    const unknown = await firstError(
      `{ searchEvents(filter: { fromDate: "2027-07-01", timeZone: "europe/atlantis" }) { totalCount } }`,
    );
    expect(unknown).toMatchObject({ code: 'BAD_USER_INPUT', error: { extensions: { field: 'timeZone' } } });
  });

  it('logs a scan of an NFC id no wristband can have as a denied check-in, online and offline', async () => {
    const scan = `mutation($input: CheckInInput!) { checkIn(input: $input) { id allowed reason nfcId } }`;
    const input = { seriesId: world.series.id, gateId: world.gate.id, nfcId: '04\u0000A2', scanId: 'garbled-1' };
    const { checkIn } = await platform.data(scan, { input });
    expect(checkIn).toMatchObject({ allowed: false, reason: 'INVALID_WRISTBAND_ID', nfcId: '04\uFFFDA2' });
    expect((await platform.data(scan, { input })).checkIn.id).toBe(checkIn.id); // a retry is the same scan
    const { checkIns } = await platform.data(`query($id: ID!) { checkIns(seriesId: $id) { edges { node { id reason } } } }`, {
      id: world.series.id,
    });
    expect(checkIns.edges).toContainEqual({ node: { id: checkIn.id, reason: 'INVALID_WRISTBAND_ID' } });
    const { uploadOfflineScans } = await platform.data(
      `mutation($scans: [OfflineScanInput!]!) { uploadOfflineScans(scans: $scans) { scanId outcome checkIn { reason } } }`,
      {
        scans: ['\uD800', 'x'.repeat(65)].map((nfcId, i) => ({
          scanId: `garbled-offline-${i}`,
          seriesId: world.series.id,
          gateId: world.gate.id,
          nfcId,
          direction: 'ENTRY',
          scannedAt: new Date(Date.now() - 60_000 + i).toISOString(),
        })),
      },
    );
    expect(
      uploadOfflineScans.map((r: { outcome: string; checkIn: { reason: string } }) => [r.outcome, r.checkIn.reason]),
    ).toEqual([
      ['CONFLICT', 'INVALID_WRISTBAND_ID'],
      ['CONFLICT', 'INVALID_WRISTBAND_ID'],
    ]);
  });
});

describe('operation limits at the gateway', () => {
  it('refuses an operation whose estimated cost is over the limit, before any subgraph is asked', async () => {
    const { status, code, error } = await firstError(
      '{ events(first: 5000) { edges { node { id venue { events { edges { node { id } } } } } } } }',
    );
    expect(status).toBe(400);
    expect(code).toBe('OPERATION_TOO_COSTLY');
    expect(error.extensions).toMatchObject({ limit: 5000 });
  });

  it('refuses an operation nested too deep', async () => {
    const level = (inner: string) => `events(first: 1) { edges { node { organization { ${inner} } } } }`;
    const deep = `{ ${level(level(level(level(level(level('id'))))))} }`;
    const { status, code } = await firstError(deep);
    expect(status).toBe(400);
    expect(code).toBe('OPERATION_TOO_DEEP');
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: events(first: 1) { totalCount }`).join(' ');
    expect((await firstError(`{ ${aliases} }`)).code).toBe('TOO_MANY_ALIASES');
  });

  it('refuses a document with too many tokens while parsing it', async () => {
    const huge = `{ ${Array.from({ length: 2100 }, () => '__typename').join(' ')} }`;
    expect((await firstError(huge)).code).toBe('TOO_MANY_TOKENS');
  });
});

describe('the development credential', () => {
  it('refuses a wrong token with UNAUTHENTICATED and lets anonymous callers read published events', async () => {
    await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: world.event.id });
    const wrong = await platform.request('{ events { totalCount } }', {}, { token: 'not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const anonymous = await platform.request('{ events { edges { node { title } } } }', {}, { token: null });
    expect(anonymous.status).toBe(200);
    expect((anonymous.body.data as any)?.events.edges).toEqual(expect.arrayContaining([{ node: { title: 'Summer Sound' } }]));
  });
});
