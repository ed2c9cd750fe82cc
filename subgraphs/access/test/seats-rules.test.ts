import {
  checkSeatAssignment,
  MAX_SEATS_PER_MAP,
  normalizeSeatMap,
  pickBestAvailable,
  seatLine,
  type FreeSeat,
  type NewSeat,
} from '../src/domain/seats';

const row = (section: string, rowLabel: string, numbers: string[], extra: Record<string, unknown> = {}) => ({
  section,
  row: rowLabel,
  numbers,
  category: 'stalls',
  ...extra,
});

describe('a seat map', () => {
  it('is stored with trimmed labels, upper-cased categories, positions along each row and ranks from the middle', () => {
    const map = normalizeSeatMap({
      name: ' Concert ',
      rows: [row('Stalls', 'A', ['1', '2', '3', '4', '5'], { accessible: ['1'] }), row(' Stalls', 'B ', ['1', '2'])],
    });
    expect('code' in map).toBe(false);
    const { name, seats } = map as { name: string; seats: NewSeat[] };
    expect(name).toBe('Concert');
    expect(seats).toHaveLength(7);
    expect(seats[0]).toEqual({
      section: 'Stalls',
      row: 'A',
      number: '1',
      position: 0,
      accessible: true,
      category: 'STALLS',
      rank: 4,
    });
    // the middle seat of row A ranks first, every seat of row A before any of row B
    expect(seats.map((s) => s.rank)).toEqual([4, 2, 0, 2, 4, 10_001, 10_001]);
    expect(seats[6]).toMatchObject({ row: 'B', position: 1 });
  });

  it('refuses empty or long labels, a row or a seat twice, foreign accessible numbers, bad ranks and too many seats', () => {
    const cases: Array<[Parameters<typeof normalizeSeatMap>[0], string]> = [
      [{ name: ' ', rows: [row('S', 'A', ['1'])] }, 'name'],
      [{ name: 'x'.repeat(101), rows: [row('S', 'A', ['1'])] }, 'name'],
      [{ name: 'M', rows: [] }, 'rows'],
      [{ name: 'M', rows: [row('', 'A', ['1'])] }, 'rows[0].section'],
      [{ name: 'M', rows: [row('S', 'A', [])] }, 'rows[0].numbers'],
      [{ name: 'M', rows: [row('S', 'A', ['1', ' '])] }, 'rows[0].numbers[1]'],
      [{ name: 'M', rows: [row('S', 'A', ['1', '1'])] }, 'rows[0].numbers[1]'],
      [{ name: 'M', rows: [row('S', 'A', ['1']), row('S', 'A', ['2'])] }, 'rows[1].row'],
      [{ name: 'M', rows: [row('S', 'A', ['1'], { accessible: ['9'] })] }, 'rows[0].accessible[0]'],
      [{ name: 'M', rows: [row('S', 'A', ['1'], { category: ' ' })] }, 'rows[0].category'],
      [{ name: 'M', rows: [row('S', 'A', ['1'], { rank: -1 })] }, 'rows[0].rank'],
      [{ name: 'M', rows: [row('S', 'A', ['1'], { rank: 1.5 })] }, 'rows[0].rank'],
      [
        {
          name: 'M',
          rows: [
            row(
              'S',
              'A',
              Array.from({ length: 1001 }, (_, i) => `${i}`),
            ),
          ],
        },
        'rows[0].numbers',
      ],
      [
        {
          name: 'M',
          rows: Array.from({ length: MAX_SEATS_PER_MAP / 1000 + 1 }, (_, r) =>
            row(
              'S',
              `${r}`,
              Array.from({ length: 1000 }, (_, i) => `${i}`),
            ),
          ),
        },
        'rows',
      ],
    ];
    for (const [input, field] of cases) expect(normalizeSeatMap(input)).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});

describe('assigning a map to an event', () => {
  const pick = (...pairs: Array<[string, string]>) => pairs.map(([category, ticketTypeId]) => ({ category, ticketTypeId }));
  it('names every category of the map once, and only those', () => {
    expect(checkSeatAssignment(['BALCONY', 'STALLS'], pick(['stalls', 't1'], ['Balcony', 't1']))).toBeNull();
    expect(checkSeatAssignment(['BALCONY', 'STALLS'], pick(['stalls', 't1']))).toMatchObject({ field: 'ticketTypes' });
    expect(checkSeatAssignment(['STALLS'], pick(['stalls', 't1'], ['STALLS', 't2']))).toMatchObject({
      field: 'ticketTypes[1].category',
    });
    expect(checkSeatAssignment(['STALLS'], pick(['stalls', 't1'], ['box', 't2']))).toMatchObject({
      field: 'ticketTypes[1].category',
    });
  });
});

describe('a hold line', () => {
  it('asks for a quantity or for seats, never both, each seat once', () => {
    expect(seatLine({ ticketTypeId: 't', quantity: 2 }, 0)).toEqual({
      ticketTypeId: 't',
      quantity: 2,
      seatIds: null,
      accessible: false,
    });
    expect(seatLine({ ticketTypeId: 't', seatIds: ['a', 'b'] }, 0)).toEqual({
      ticketTypeId: 't',
      quantity: 2,
      seatIds: ['a', 'b'],
      accessible: false,
    });
    expect(seatLine({ ticketTypeId: 't', quantity: 1, seatIds: ['a'] }, 3)).toMatchObject({ field: 'items[3].seatIds' });
    expect(seatLine({ ticketTypeId: 't' }, 0)).toMatchObject({ field: 'items[0].quantity' });
    expect(seatLine({ ticketTypeId: 't', seatIds: [] }, 0)).toMatchObject({ field: 'items[0].seatIds' });
    expect(seatLine({ ticketTypeId: 't', seatIds: ['a', 'b', 'a'] }, 1)).toMatchObject({ field: 'items[1].seatIds[2]' });
    expect(seatLine({ ticketTypeId: 't', seatIds: ['a'], accessible: true }, 0)).toMatchObject({ field: 'items[0].accessible' });
  });
});

describe('best-available', () => {
  const free = (section: string, rowLabel: string, positions: number[], base: number): FreeSeat[] =>
    positions.map((position) => ({
      seatId: `${section}${rowLabel}${position}`,
      section,
      row: rowLabel,
      position,
      rank: base + position,
    }));

  it('takes the best block side by side in one row', () => {
    // row A has the best seats but no three together; row B has three together
    const seats = [...free('S', 'A', [0, 2, 4, 6], 0), ...free('S', 'B', [0, 1, 2, 3], 100)];
    expect(pickBestAvailable(seats, 2)).toEqual(['SB0', 'SB1']);
    expect(pickBestAvailable(seats, 1)).toEqual(['SA0']);
    expect(pickBestAvailable(seats, 3)).toEqual(['SB0', 'SB1', 'SB2']);
  });

  it('falls back to the best-ranked seats when no row has them together, and is null when too few are free', () => {
    const seats = [...free('S', 'A', [0, 2], 0), ...free('S', 'B', [5, 7], 100)];
    expect(pickBestAvailable(seats, 3)).toEqual(['SA0', 'SA2', 'SB5']);
    expect(pickBestAvailable(seats, 5)).toBeNull();
    expect(pickBestAvailable([], 1)).toBeNull();
  });
});
