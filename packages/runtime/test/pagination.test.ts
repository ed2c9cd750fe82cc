import { DomainError } from '../src/errors';
import { afterWhere, decodeCursor, encodeCursor, PAGE_SIZE, pageOf, pageSize } from '../src/pagination';

const ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

/** The error a call throws, as a client would see it (code and field). */
function refusal(call: () => unknown): { code: unknown; field: unknown } {
  try {
    call();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    const { code, field } = (err as DomainError).extensions;
    return { code, field };
  }
  throw new Error('expected a refusal');
}

describe('page size', () => {
  it('defaults to 20 and accepts 1..100', () => {
    expect(pageSize(undefined)).toBe(PAGE_SIZE.default);
    expect(pageSize(null)).toBe(20);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(100)).toBe(100);
  });

  it.each([0, -1, 101, 1.5])('refuses %p as BAD_USER_INPUT naming first', (first) => {
    expect(refusal(() => pageSize(first))).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});

describe('cursors', () => {
  it('round-trip an instant, a number and text with the id', () => {
    const at = new Date('2027-03-01T18:30:00.000Z');
    expect(decodeCursor(encodeCursor(at, ID), 'time')).toEqual({ key: at, id: ID });
    expect(decodeCursor(encodeCursor(2.5, ID, 'DISTANCE'), 'number', 'DISTANCE')).toEqual({ key: 2.5, id: ID });
    expect(decodeCursor(encodeCursor('NFC-0042', ID), 'text')).toEqual({ key: 'NFC-0042', id: ID });
  });

  it('are opaque: no key or id readable in the text', () => {
    const cursor = encodeCursor('NFC-0042', ID);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('NFC');
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['base64 of other text', Buffer.from('hello').toString('base64url')],
    ['an id that is no uuid', Buffer.from(JSON.stringify([1, '', '2027-01-01T00:00:00Z', 'x'])).toString('base64url')],
    ['a key of another kind', encodeCursor(3, ID)],
    ['an unknown version', Buffer.from(JSON.stringify([9, '', '2027-01-01T00:00:00Z', ID])).toString('base64url')],
  ])('refuse %s as BAD_USER_INPUT naming after', (_what, after) => {
    expect(refusal(() => decodeCursor(after, 'time'))).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it("refuse another order's cursor instead of skipping rows", () => {
    const byDistance = encodeCursor(2.5, ID, 'DISTANCE');
    expect(refusal(() => decodeCursor(byDistance, 'number', 'RELEVANCE'))).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('keyset', () => {
  const rows = [
    { at: 1, id: 'a' },
    { at: 2, id: 'a' },
    { at: 2, id: 'b' },
    { at: 2, id: 'c' },
    { at: 3, id: 'a' },
  ];
  /** What afterWhere selects, read as a filter over plain rows (`gt`/`lt` on key, then id). */
  function select(where: { OR: object[] }): string[] {
    const test = (row: (typeof rows)[number], clause: Record<string, unknown>) =>
      Object.entries(clause).every(([field, cond]) => {
        const value = row[field as 'at' | 'id'];
        if (typeof cond !== 'object' || cond === null) return value === cond;
        const [[op, bound]] = Object.entries(cond) as [[string, number | string]];
        return op === 'gt' ? value > bound : value < bound;
      });
    return rows.filter((row) => where.OR.some((c) => test(row, c as Record<string, unknown>))).map((r) => `${r.at}${r.id}`);
  }

  it('continues strictly after the (key, id) pair, both ways', () => {
    expect(select(afterWhere('at', { key: 2, id: 'b' }, 'asc'))).toEqual(['2c', '3a']);
    expect(select(afterWhere('at', { key: 2, id: 'b' }, 'desc'))).toEqual(['1a', '2a']);
  });
});

describe('a page', () => {
  const rows = ['a', 'b', 'c'];
  const cursorOf = (row: string) => `cursor-${row}`;

  it('reads one row more than asked to know of a next page', async () => {
    let counted = 0;
    const page = pageOf(rows, 2, { cursorOf, count: () => ++counted && 7 });
    expect(page.edges).toEqual([
      { cursor: 'cursor-a', node: 'a' },
      { cursor: 'cursor-b', node: 'b' },
    ]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: 'cursor-a', endCursor: 'cursor-b' });
    expect(counted).toBe(0);
    expect([await page.totalCount(), await page.totalCount()]).toEqual([7, 7]);
    expect(counted).toBe(1);
  });

  it('after a cursor, has a previous page; the last page has no next', () => {
    const page = pageOf(rows, 5, { after: 'cursor-x', cursorOf, count: () => 3 });
    expect(page.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: 'cursor-a', endCursor: 'cursor-c' });
  });

  it('an empty page has no cursors', () => {
    expect(pageOf([], 5, { cursorOf, count: () => 0 }).pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: null,
      endCursor: null,
    });
  });
});
