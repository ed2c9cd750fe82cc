import { CsvParser, parseCsv, type CsvItem } from '../src/domain/csv';
import {
  checkHeader,
  checkTicketRow,
  checkWristbandRow,
  recordByColumns,
  WRISTBAND_COLUMNS,
  WRISTBAND_REQUIRED,
} from '../src/domain/import-rows';
import { JsonItemSplitter } from '../src/domain/json-items';
import { checkWristbandReplacement, checkWristbandStatusChange } from '../src/domain/wristband-lifecycle';

const csv = (text: string, chunk = text.length) => {
  const parser = new CsvParser();
  const out: CsvItem[] = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...parser.push(text.slice(i, i + chunk)));
  out.push(...parser.end());
  return out;
};

describe('the streaming CSV parser', () => {
  it('reads quotes, escaped quotes, commas and newlines inside quotes, CRLF, CR and a BOM', () => {
    const text = '\ufeffnfc_id,category\r\n"a,1",GA\r\n"say ""hi""",VIP\n"two\r\nlines",X\rlast,Y';
    const expected = [
      { line: 1, fields: ['nfc_id', 'category'] },
      { line: 2, fields: ['a,1', 'GA'] },
      { line: 3, fields: ['say "hi"', 'VIP'] },
      { line: 4, fields: ['two\r\nlines', 'X'] },
      { line: 6, fields: ['last', 'Y'] },
    ];
    expect(csv(text)).toEqual(expected);
    // the same whatever the chunking: one character at a time, or split inside a CRLF
    expect(csv(text, 1)).toEqual(expected);
    expect(csv(text, 7)).toEqual(expected);
  });

  it('keeps empty fields, skips blank lines, ends without a final newline', () => {
    expect(csv('a,,c\n\n\n,\nx')).toEqual([
      { line: 1, fields: ['a', '', 'c'] },
      { line: 4, fields: ['', ''] },
      { line: 5, fields: ['x'] },
    ]);
  });

  it('reports a broken record once, with its line, and reads on', () => {
    expect(csv('ok,1\nab"c,2\n"x"y,3\nfine,4\n"open,5')).toEqual([
      { line: 1, fields: ['ok', '1'] },
      { line: 2, error: expect.stringMatching(/quote inside an unquoted field/) },
      { line: 3, error: expect.stringMatching(/after a closing quote/) },
      { line: 4, fields: ['fine', '4'] },
      { line: 5, error: 'a quoted field is not closed' },
    ]);
  });

  it('caps fields and records, so a broken file cannot fill the memory', () => {
    const parser = new CsvParser({ maxFieldLength: 5, maxFields: 3 });
    expect([...parser.push('123456,a\n1,2,3,4\nok,1\n'), ...parser.end()]).toEqual([
      { line: 1, error: 'a field is longer than 5 characters' },
      { line: 2, error: 'more than 3 fields' },
      { line: 3, fields: ['ok', '1'] },
    ]);
  });

  it('decodes UTF-8 split anywhere in the byte stream', async () => {
    const bytes = Buffer.from('nfc_id,category\nü-1,Größe\n', 'utf8');
    const chunks = [...bytes].map((b) => Uint8Array.of(b));
    const items: CsvItem[] = [];
    for await (const item of parseCsv(
      (async function* () {
        yield* chunks;
      })(),
    ))
      items.push(item);
    expect(items[1]).toEqual({ line: 2, fields: ['ü-1', 'Größe'] });
  });
});

describe('import rows', () => {
  const header = (fields: string[]) => checkHeader(fields, WRISTBAND_REQUIRED, WRISTBAND_COLUMNS);

  it('headers: any order and case; unknown, repeated and missing columns are refused', () => {
    expect(header([' Category', 'NFC_ID'])).toEqual({ ok: true, columns: ['category', 'nfc_id'] });
    expect(header(['nfc_id', 'category', 'colour'])).toMatchObject({
      ok: false,
      message: expect.stringMatching(/unknown columns colour/),
    });
    expect(header(['nfc_id', 'nfc_id', 'category'])).toMatchObject({ ok: false, message: expect.stringMatching(/twice/) });
    expect(header(['nfc_id'])).toMatchObject({ ok: false, message: expect.stringMatching(/lacks category/) });
  });

  it('wristband rows: codes for each kind of bad input', () => {
    const columns = ['nfc_id', 'category', 'series'];
    const row = (...fields: string[]) => {
      const record = recordByColumns(columns, fields);
      return record.ok ? checkWristbandRow(record.row) : record;
    };
    const series = '0b7f7c1e-8a51-4f3e-9b1e-2a0f6e4f1a11';
    expect(row(' 04:AA ', 'vip', `${series}; ${series.toUpperCase()};`)).toEqual({
      ok: true,
      row: { nfcId: '04:AA', category: 'VIP', seriesIds: [series] },
    });
    expect(row('a', 'GA')).toMatchObject({ ok: false, error: { code: 'MALFORMED_ROW' } });
    expect(row('', 'GA', '')).toMatchObject({ ok: false, error: { code: 'MISSING_FIELD', field: 'nfc_id' } });
    expect(row('a', ' ', '')).toMatchObject({ ok: false, error: { code: 'MISSING_FIELD', field: 'category' } });
    expect(row('x'.repeat(65), 'GA', '')).toMatchObject({ ok: false, error: { code: 'INVALID_VALUE', field: 'nfc_id' } });
    expect(row('a', 'GA', 'day-1')).toMatchObject({ ok: false, error: { code: 'INVALID_VALUE', field: 'series' } });
  });

  it('ticket rows: CSV and JSON name the same fields', () => {
    expect(checkTicketRow({ externalId: 42, category: 'ga', holderEmail: 'A@Example.com', series: [] })).toEqual({
      ok: true,
      row: {
        externalId: '42',
        category: 'GA',
        status: 'VALID',
        holderName: null,
        holderEmail: 'a@example.com',
        nfcId: null,
        seriesIds: [],
      },
    });
    expect(checkTicketRow({ externalId: 'x', category: 'GA', status: 'refunded' })).toMatchObject({
      ok: false,
      error: { field: 'status' },
    });
    expect(checkTicketRow({ externalId: 'x', category: 'GA', holderEmail: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_VALUE' },
    });
    expect(checkTicketRow({ category: 'GA' })).toMatchObject({
      ok: false,
      error: { code: 'MISSING_FIELD', field: 'externalId' },
    });
    expect(checkTicketRow([1])).toMatchObject({ ok: false, error: { code: 'MALFORMED_ROW' } });
  });
});

describe('the JSON item splitter', () => {
  const items = (text: string, chunk = text.length) => {
    const splitter = new JsonItemSplitter();
    const out = [];
    for (let i = 0; i < text.length; i += chunk) out.push(...splitter.push(text.slice(i, i + chunk)));
    return [...out, ...splitter.end()];
  };

  it('reads an array or one object per line, whatever the chunking, braces in strings included', () => {
    const array = '[\n {"a": "}{\\""},\n {"b": [1, {"c": 2}]}\n]';
    const expected = [
      { line: 2, value: { a: '}{"' } },
      { line: 3, value: { b: [1, { c: 2 }] } },
    ];
    expect(items(array)).toEqual(expected);
    expect(items(array, 1)).toEqual(expected);
    expect(items('{"a":1}\n{"b":2}\n')).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, value: { b: 2 } },
    ]);
  });

  it('reports broken items and reads on', () => {
    expect(items('[{"a":1,}, 7, {"b":2}')).toEqual([
      { line: 1, error: expect.stringMatching(/not valid JSON/) },
      { line: 1, error: 'expected an object, found "7"' },
      { line: 1, value: { b: 2 } },
      { line: 1, error: 'the array is not closed with ]' },
    ]);
  });
});

describe('the wristband lifecycle', () => {
  it.each([
    ['ACTIVE', 'SUSPENDED'],
    ['SUSPENDED', 'ACTIVE'],
    ['ACTIVE', 'LOST'],
    ['SUSPENDED', 'REVOKED'],
    ['LOST', 'ACTIVE'],
    ['LOST', 'REVOKED'],
  ] as const)('%s → %s is allowed', (from, to) => expect(checkWristbandStatusChange(from, to)).toEqual({ ok: true }));

  it.each([
    ['REVOKED', 'ACTIVE', 'ILLEGAL_TRANSITION'],
    ['REPLACED', 'ACTIVE', 'ILLEGAL_TRANSITION'],
    ['LOST', 'SUSPENDED', 'ILLEGAL_TRANSITION'],
    ['ACTIVE', 'REPLACED', 'ILLEGAL_TRANSITION'],
    ['ACTIVE', 'ACTIVE', 'NO_CHANGE'],
  ] as const)('%s → %s is refused (%s)', (from, to, code) =>
    expect(checkWristbandStatusChange(from, to)).toMatchObject({ ok: false, code }),
  );

  it('replacement: from active, suspended or lost; never from revoked or replaced', () => {
    for (const from of ['ACTIVE', 'SUSPENDED', 'LOST'] as const) expect(checkWristbandReplacement(from)).toEqual({ ok: true });
    for (const from of ['REVOKED', 'REPLACED'] as const)
      expect(checkWristbandReplacement(from)).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
  });
});
