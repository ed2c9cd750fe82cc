import { randomUUID } from 'node:crypto';
import { SUBGRAPHS } from '../src/subgraphs';
import {
  argumentTargets,
  fieldsCheckingOwnText,
  operationFor,
  printPath,
  variablesFor,
  type ArgumentTarget,
  type ScalarValue,
} from './support/argument-targets';
import { createDemoWorld } from './support/demo-data';
import { startTestPlatform, type GraphQLResponse, type TestPlatform } from './support/test-platform';

/**
 * The bad-input corpus: every scalar position of every query and mutation argument of the gateway's
 * API schema (input objects and lists included) gets bad values of its type — control characters and
 * odd encodings, impossible dates, numbers at and past the column's range. Whatever the field, the
 * answer is never a 5xx or INTERNAL_SERVER_ERROR, every error is coded and leaks nothing, and the
 * refusals that come before any resolver (text PostgreSQL cannot store, impossible dates, Int overflow)
 * are BAD_USER_INPUT naming the position.
 */

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;

beforeAll(async () => {
  platform = await startTestPlatform({ callerPolicies: {} as never });
  world = await createDemoWorld(platform);
});
afterAll(() => platform?.stop());

const NUL = 'a\u0000b';
const FEB_30 = '2027-02-30T10:00:00Z';
const INT_OVERFLOW = 2_147_483_648;
/** the first of each list goes to every position of the type; the others take turns */
const CORPUS: Record<string, unknown[]> = {
  String: [
    NUL,
    '\u0001\u0008\u000b\u001b[31m\u007f',
    'a\uD800b',
    '\uDFFF\uD800',
    '\u202Egnp.exe\u200B\uFEFF',
    '😀'.repeat(50),
    'x'.repeat(20_000),
    '%00%ff\\x00',
    `'; DROP TABLE "Event"; --`,
    '',
    '   ',
  ],
  DateTime: [FEB_30, '0001-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '2027-07-01T24:00:00Z', '2027-07-01', 'yesterday', 0],
  Int: [INT_OVERFLOW, 2_147_483_647, -2_147_483_648, -1, 0, 1.5],
  Float: [1.7976931348623157e308, -1.7976931348623157e308, 5e-324, 1e21, -0],
  JSONObject: [{ 'k\u0000': 1 }, { v: 'a\u0000' }, JSON.parse('['.repeat(200) + ']'.repeat(200)), 'not an object'],
  Boolean: [],
};
CORPUS.ID = [NUL, 'a\uD800', '0'.repeat(10_000), '00000000-0000-4000-8000-00000000000g', -1];

/** What must answer each bad value exactly: the refusals made before any resolver runs. */
const EXACT: Record<string, unknown> = {
  String: NUL,
  ID: NUL,
  DateTime: FEB_30,
  Int: INT_OVERFLOW,
  JSONObject: CORPUS.JSONObject![0],
};

const LEAK = /stacktrace|prisma|SELECT |INSERT |UPDATE "|at Object\.|node_modules|violates|syntax error|invalid byte sequence/i;

/** Plausible values, real ids of the demo world where the name says which entity. */
const plausible: ScalarValue = (scalar, name, fieldName) => {
  if (scalar === 'ID') {
    const hint = name === 'id' || name === 'ids' ? fieldName : name;
    const ids: Array<[RegExp, string]> = [
      [/series/i, world.series.id],
      [/gate/i, world.gate.id],
      [/wristband/i, world.wristband.id],
      [/venue/i, world.venue.id],
      [/source/i, world.source.id],
      [/event/i, world.event.id],
      [/org/i, world.org.id],
      [/user|owner|member/i, world.user.id],
    ];
    return ids.find(([pattern]) => pattern.test(hint))?.[1] ?? randomUUID();
  }
  if (scalar === 'DateTime') return '2027-07-01T14:00:00Z';
  if (scalar === 'Int' || scalar === 'Float') return 1;
  if (scalar === 'Boolean') return true;
  if (scalar === 'JSONObject') return {};
  const strings: Array<[RegExp, string]> = [
    [/email/i, 'corpus@example.com'],
    [/url|link/i, 'http://127.0.0.1:9/corpus'],
    [/slug/i, 'corpus-slug'],
    [/password/i, 'correct horse battery staple'],
    [/timeZone/i, 'Europe/Berlin'],
    [/date/i, '2027-07-01'],
    [/currency/i, 'EUR'],
    [/country/i, 'DE'],
  ];
  return strings.find(([pattern]) => pattern.test(name))?.[1] ?? 'corpus';
};

interface Probe {
  target: ArgumentTarget;
  bad: unknown;
}

interface Outcome extends Probe {
  status: number;
  body: GraphQLResponse<unknown>;
}

async function send({ target, bad }: Probe): Promise<Outcome> {
  const variables = variablesFor(target, bad, plausible);
  const { status, body } = await platform.request(operationFor(target, variables), variables);
  return { target, bad, status, body };
}

/** Runs the probes a few at a time. */
async function sendAll(probes: Probe[], concurrency = 4): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < probes.length) outcomes.push(await send(probes[next++]!));
    }),
  );
  return outcomes;
}

const describeOutcome = (o: Outcome) =>
  `${o.target.field.name}(${printPath(o.target.path)} = ${JSON.stringify(o.bad)?.slice(0, 60)}) → ${o.status} ${JSON.stringify(o.body).slice(0, 300)}`;

it('answers every bad value of every argument with a coded client error, never a 5xx or INTERNAL_SERVER_ERROR', async () => {
  const ownText = fieldsCheckingOwnText(SUBGRAPHS.map((s) => s.definition.schema));
  const targets = argumentTargets(platform.gateway.engine.apiSchema, ownText);
  const covered = new Set(targets.map((t) => t.scalar));
  for (const scalar of ['String', 'ID', 'DateTime', 'Int']) expect(covered.has(scalar)).toBe(true);
  const unknownScalars = [...covered].filter((s) => !(s in CORPUS));
  expect(unknownScalars).toEqual([]); // a new scalar needs its bad values here

  const probes: Probe[] = targets.flatMap((target, i) => {
    const [always, ...others] = CORPUS[target.scalar]!;
    const rotated = others.length ? [others[i % others.length]] : [];
    return always === undefined ? [] : [{ target, bad: always }, ...rotated.map((bad) => ({ target, bad }))];
  });
  const outcomes = await sendAll(probes);

  const problems: string[] = [];
  for (const outcome of outcomes) {
    const { status, body, target, bad } = outcome;
    const errors = body.errors ?? [];
    const text = JSON.stringify(body);
    if (status >= 500) problems.push(`HTTP ${status}: ${describeOutcome(outcome)}`);
    if (LEAK.test(text)) problems.push(`leaks internals: ${describeOutcome(outcome)}`);
    for (const error of errors) {
      const code = error.extensions?.code;
      if (!code || code === 'INTERNAL_SERVER_ERROR') problems.push(`uncoded or internal: ${describeOutcome(outcome)}`);
    }
    if (bad !== EXACT[target.scalar] || target.checksOwnText) continue;
    // refused before any resolver: BAD_USER_INPUT at exactly this position
    const refusal = errors.find((e) => e.extensions?.code === 'BAD_USER_INPUT');
    const field = refusal?.extensions?.field ?? refusal?.message;
    if (!refusal || !String(field).includes(printPath(target.path)))
      problems.push(`not refused as BAD_USER_INPUT naming ${printPath(target.path)}: ${describeOutcome(outcome)}`);
  }
  expect(problems).toEqual([]);
  // each argument position got at least its control-character (or impossible) value
  expect(new Set(outcomes.map((o) => o.target)).size).toBe(targets.filter((t) => CORPUS[t.scalar]!.length).length);
});

it('refuses a NUL byte in every subscription argument over graphql-ws with BAD_USER_INPUT', async () => {
  const subscriptionType = platform.gateway.engine.apiSchema.getSubscriptionType()!;
  const client = platform.wsClient();
  for (const field of Object.values(subscriptionType.getFields())) {
    for (const target of field.args) {
      const variables = Object.fromEntries(
        field.args.map((a) => [a.name, a === target ? NUL : plausible('ID', a.name, field.name)]),
      );
      const defs = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
      const passed = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
      const outcome = await new Promise<unknown>((resolve) => {
        const results: unknown[] = [];
        client.subscribe(
          { query: `subscription(${defs}) { ${field.name}(${passed}) { __typename } }`, variables },
          { next: (r) => results.push(r), error: resolve, complete: () => resolve(results) },
        );
      });
      const text = JSON.stringify(outcome);
      expect([field.name, target.name, text]).toEqual([field.name, target.name, expect.stringContaining('"BAD_USER_INPUT"')]);
      expect(text).toContain(`"field":"${target.name}"`);
      expect(text).not.toMatch(/INTERNAL_SERVER_ERROR/);
    }
  }
});

it('refuses a NUL byte in an import route parameter, which no GraphQL argument carries', async () => {
  const url = new URL('/imports/tickets', platform.gateway.url);
  url.search = new URLSearchParams({ eventId: world.event.id, source: 'box\u0000office', format: 'csv' }).toString();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${platform.devToken}` },
    body: 'external_id,status\n',
  });
  expect(response.status).toBe(400);
  const body = (await response.json()) as GraphQLResponse<unknown>;
  expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'source' } });
});

it('takes odd encodings in the request body without a 5xx', async () => {
  const bodies: Array<Buffer | string> = [
    Buffer.concat([
      Buffer.from('{"query":"{ events(first: 1) { id } }","variables":{"x":"'),
      Buffer.from([0xff, 0xfe, 0xc0, 0x80]),
      Buffer.from('"}}'),
    ]),
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"query":"{ __typename }"}')]),
    '{"query":"{ event(id: \\"\\u0000\\") { id } }"}',
    '{"query":"{ __typename }","operationName":"\\u0000"}',
    '{"query":"query($t: String) { __typename }","variables":{"t":"\\ud800"}}',
  ];
  for (const body of bodies) {
    const response = await fetch(platform.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.devToken}` },
      body,
    });
    expect(response.status).toBeLessThan(500);
    const json = (await response.json()) as GraphQLResponse<unknown>;
    for (const error of json.errors ?? []) expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(json)).not.toMatch(LEAK);
  }
});

describe('client mistakes in choosing the operation', () => {
  const post = async (body: Record<string, unknown>) => {
    const response = await fetch(platform.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.devToken}` },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as { errors: { message: string; extensions: { code: string } }[] },
    };
  };

  it('answers an unknown operationName or several operations without one with HTTP 400, not 500', async () => {
    for (const [request, code, message] of [
      [{ query: 'query A { __typename }', operationName: 'B' }, 'OPERATION_RESOLUTION_FAILURE', 'Unknown operation named "B".'],
      [{ query: 'query A { __typename } query B { __typename }' }, 'OPERATION_RESOLUTION_FAILURE', /Must provide operation name/],
      [{ query: '{ __typename } { __typename }' }, 'GRAPHQL_VALIDATION_FAILED', /anonymous operation must be the only/],
      [{ variables: {} }, 'BAD_REQUEST', /non-empty `query`/],
    ] as const) {
      const { status, body } = await post(request);
      expect(status).toBe(400);
      expect(body.errors[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code } });
    }
  });

  it('answers the same over graphql-ws with a coded error', async () => {
    const client = platform.wsClient();
    const outcome = await new Promise<unknown>((resolve) =>
      client.subscribe(
        { query: 'query A { __typename }', operationName: 'B' },
        { next: resolve, error: resolve, complete: () => {} },
      ),
    );
    expect(outcome).toEqual([expect.objectContaining({ extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })]);
  });
});
