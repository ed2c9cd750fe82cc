import { graphql, GraphQLObjectType, GraphQLSchema, GraphQLString, type GraphQLFieldConfigArgumentMap } from 'graphql';
import { buildSchema } from 'graphql';
import { guardTextArguments, storableText, textProblem } from '../src/input-hygiene';
import { canonicalTimeZone } from '../src/time-zones';
import { DateTimeScalar, JSONObjectScalar } from '../src/scalars';
import { parseCalendarDay } from '../src/calendar';

describe('text PostgreSQL cannot store', () => {
  it('finds NUL and unpaired surrogates, and nothing in ordinary text', () => {
    expect(textProblem('Summer Sound — Köln 🎉\ttab\nline')).toBeUndefined();
    expect(textProblem('a\u0000b')).toMatch(/U\+0000.*character 2/);
    expect(textProblem('a\uD800b')).toMatch(/unpaired surrogate.*character 2/);
    expect(textProblem('\uDC00')).toMatch(/unpaired surrogate/);
    expect(storableText('a\u0000b\uD800')).toBe('a\uFFFDb\uFFFD');
  });
});

describe('guardTextArguments', () => {
  const schema = guardTextArguments(
    buildSchema(`
      scalar JSONObject
      input Tag { name: String!, children: [Tag!] }
      input Item { title: String, count: Int, tags: [Tag!], raw: String @deprecated(reason: "x") }
      type Query {
        echo(text: String, id: ID, items: [Item!], meta: JSONObject, count: Int): String
      }
    `),
  );
  const rootValue = { echo: () => 'ran' };
  const run = (source: string, variableValues?: Record<string, unknown>) =>
    graphql({ schema, source, rootValue, variableValues });

  it('lets clean arguments through to the resolver', async () => {
    const result = await run('query($t: String) { echo(text: $t, id: "x", items: [{ title: "ok", count: 2 }]) }', { t: 'fine' });
    expect(result).toEqual({ data: { echo: 'ran' } });
  });

  it('refuses NUL in a literal, a variable, a nested input object and a list, naming the argument path', async () => {
    const cases: Array<[string, Record<string, unknown> | undefined, string]> = [
      ['{ echo(text: "a\\u0000") }', undefined, 'text'],
      ['query($id: ID) { echo(id: $id) }', { id: '\u0000' }, 'id'],
      ['query($i: [Item!]) { echo(items: $i) }', { i: [{ title: 'ok' }, { title: 'x\u0000' }] }, 'items[1].title'],
      [
        'query($i: [Item!]) { echo(items: $i) }',
        { i: [{ tags: [{ name: 'a', children: [{ name: '\uD800' }] }] }] },
        'items[0].tags[0].children[0].name',
      ],
    ];
    for (const [source, variables, field] of cases) {
      const result = await run(source, variables);
      expect(result.data).toEqual({ echo: null });
      expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
      expect(result.errors?.[0]?.message).toMatch(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}: `));
    }
  });

  it('looks inside custom scalars (a JSON object), keys included', async () => {
    const schemaWithJson = guardTextArguments(
      new GraphQLSchema({
        query: new GraphQLObjectType({
          name: 'Query',
          fields: {
            save: {
              type: GraphQLString,
              args: { settings: { type: JSONObjectScalar }, at: { type: DateTimeScalar } } as GraphQLFieldConfigArgumentMap,
              resolve: () => 'saved',
            },
          },
        }),
      }),
    );
    const save = (variableValues: Record<string, unknown>) =>
      graphql({
        schema: schemaWithJson,
        source: 'query($s: JSONObject, $at: DateTime) { save(settings: $s, at: $at) }',
        variableValues,
      });
    expect((await save({ s: { a: ['x', { b: 'y' }] }, at: '2027-07-01T10:00:00Z' })).data).toEqual({ save: 'saved' });
    expect((await save({ s: { a: ['x', { b: 'y\u0000' }] } })).errors?.[0]?.extensions?.field).toBe('settings.a[1].b');
    expect((await save({ s: { 'k\u0000': 1 } })).errors?.[0]?.extensions?.field).toBe('settings.k\uFFFD');
  });

  it('skips fields marked as checking their own text, and wraps a schema once', async () => {
    const own = buildSchema('type Query { scan(nfcId: String): String }');
    own.getQueryType()!.getFields().scan!.args[0]!.extensions = { checksOwnText: true };
    guardTextArguments(guardTextArguments(own));
    const result = await graphql({ schema: own, source: '{ scan(nfcId: "\\u0000") }', rootValue: { scan: () => 'logged' } });
    expect(result).toEqual({ data: { scan: 'logged' } });
  });
});

describe('DateTime', () => {
  it('refuses impossible calendar dates and times instead of shifting them', () => {
    for (const value of ['2027-02-30T10:00:00Z', '2027-02-29T10:00:00Z', '2027-13-01T10:00:00Z', '2027-04-31T00:00:00Z'])
      expect(() => DateTimeScalar.parseValue(value)).toThrow(/is not a day of the calendar/);
    for (const value of ['2027-01-01T24:00:00Z', '2027-01-01T10:60:00Z', '2027-01-01T10:00:60Z', '2027-01-01T10:00:00+24:00'])
      expect(() => DateTimeScalar.parseValue(value)).toThrow(/is not a time of day/);
  });

  it('refuses years outside 1900–9999', () => {
    for (const value of ['0001-01-01T00:00:00Z', '1899-12-31T23:59:59Z', '9999-12-31T23:30:00-01:00'])
      expect(() => DateTimeScalar.parseValue(value)).toThrow(/outside the years 1900–9999/);
  });

  it('accepts real instants, leap days and offsets', () => {
    expect(DateTimeScalar.parseValue('2028-02-29T10:00:00+02:00')).toEqual(new Date('2028-02-29T08:00:00Z'));
    expect(DateTimeScalar.parseValue('1900-01-01T00:00:00Z')).toEqual(new Date('1900-01-01T00:00:00Z'));
    expect(DateTimeScalar.parseValue('2027-07-01T18:00:00.123456Z')).toEqual(new Date('2027-07-01T18:00:00.123Z'));
  });

  it('refuses a day the calendar lacks as YYYY-MM-DD too, naming the field', () => {
    expect(parseCalendarDay('fromDate', '2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 });
    expect(() => parseCalendarDay('fromDate', '2027-02-29')).toThrow(/^fromDate: 2027-02-29 is not a day of the calendar/);
    expect(() => parseCalendarDay('toDate', '0001-01-01')).toThrow(/^toDate: 0001-01-01 is outside the years/);
    expect(() => parseCalendarDay('toDate', 'tomorrow')).toThrow(/^toDate: "tomorrow" is not a date/);
  });
});

describe('canonicalTimeZone', () => {
  it('matches names case-insensitively and answers the canonical spelling', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone(' EUROPE/BERLIN ')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('america/port-au-prince')).toBe('America/Port-au-Prince');
    expect(canonicalTimeZone('etc/gmt+5')).toBe('Etc/GMT+5');
  });

  it('keeps modern names the runtime lists under an older link, and resolves other links', () => {
    expect(canonicalTimeZone('asia/kolkata')).toBe('Asia/Kolkata');
    expect(canonicalTimeZone('US/Eastern')).toBe('America/New_York');
  });

  it('knows no zone for anything else', () => {
    for (const name of ['Mars/Olympus_Mons', '', '   ', 'Europe/Berlin\u0000', '+01:00', 'x'.repeat(100)])
      expect(canonicalTimeZone(name)).toBeUndefined();
  });
});
