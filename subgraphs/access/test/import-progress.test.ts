import { ImportErrors, MAX_REPORTED_ERRORS } from '../src/imports/common';
import { ProgressMeter, type ImportProgressUpdate } from '../src/imports/progress';

/** What an import keeps while it runs: the errors it reports and the progress it tells. */

describe('the errors an import reports', () => {
  it('keeps the first MAX_REPORTED_ERRORS by line, even when earlier lines are found last', () => {
    const errors = new ImportErrors();
    // read first: unreadable rows far down the file
    for (let line = 5000; line < 5000 + MAX_REPORTED_ERRORS + 200; line++) errors.add(line, 'MALFORMED_ROW', null, 'bad');
    // found after the file was read: duplicates near its top
    for (let line = 10; line < 60; line++) errors.add(line, 'DUPLICATE_NFC_ID', 'nfc_id', 'taken');
    expect(errors.failedRows).toBe(MAX_REPORTED_ERRORS + 250);
    expect(errors.truncated).toBe(true);
    const kept = errors.sorted();
    expect(kept).toHaveLength(MAX_REPORTED_ERRORS);
    expect(kept[0]).toMatchObject({ line: 10, code: 'DUPLICATE_NFC_ID' });
    expect(kept.at(-1)!.line).toBe(5000 + MAX_REPORTED_ERRORS - 51);
    expect(kept.map((e) => e.line)).toEqual([...kept.map((e) => e.line)].sort((a, b) => a - b));
  });
});

describe('progress', () => {
  it('counts bytes and rows, tells at most once per interval while reading, at once on a new stage', async () => {
    const told: ImportProgressUpdate[] = [];
    let clock = 0;
    const meter = new ProgressMeter(
      (p) => told.push(p),
      100,
      () => clock,
    );
    async function* body() {
      yield 'é,'; // two bytes for é
      yield new Uint8Array(10);
    }
    const bytes: number[] = [];
    for await (const _chunk of meter.body(body())) bytes.push(meter.bytes);
    expect(bytes).toEqual([3, 13]);
    async function* rows() {
      for (let i = 0; i < 2048; i++) {
        if (i === 1024) clock += 150;
        yield i;
      }
    }
    let seen = 0;
    for await (const _row of meter.items(rows())) seen++;
    expect([seen, meter.rows]).toEqual([2048, 2048]);
    // one line, at the first step of 256 rows after the pause (and not one per step)
    expect(told).toEqual([{ bytes: 13, rows: 1280, stage: 'reading' }]);
    const reading = told.length;
    meter.enter('writing');
    await new Promise((resolve) => setTimeout(resolve, 250));
    meter.done();
    const after = told.length;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(told.length).toBe(after); // nothing once done
    expect(told.slice(reading).every((p) => p.stage === 'writing' && p.rows === 2048)).toBe(true);
    expect(after - reading).toBeGreaterThanOrEqual(2); // the stage change, then heartbeats while it runs
  });
});
