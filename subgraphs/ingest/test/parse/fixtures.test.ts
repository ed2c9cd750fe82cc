import { FeedError } from '../../src/domain/records';
import { parseFeed } from '../../src/domain/parse';
import { feed, fixtureFiles } from './fixture-files';

/** The promise: every shared feed is ingested without a crash, as records or a refusal with a reason. */
describe('every shared fixture feed', () => {
  const cases = [
    ...fixtureFiles('ical').map((path) => ['ICAL', path] as const),
    ...fixtureFiles('rss').map((path) => ['RSS', path] as const),
  ];

  it('finds all 33 files', () => {
    expect(cases).toHaveLength(33);
  });

  it.each(cases)('%s %s parses into records or is refused with a code', (kind, path) => {
    const horizon = { from: new Date('2000-01-01T00:00:00Z'), to: new Date('2028-01-01T00:00:00Z') };
    let outcome: string;
    try {
      const { records, problems } = parseFeed(kind, feed(path), { horizon });
      for (const record of records) {
        expect(record.startsAt === null || !Number.isNaN(record.startsAt.getTime())).toBe(true);
        expect(record.endsAt === null || record.startsAt === null || record.endsAt >= record.startsAt).toBe(true);
        expect(() => JSON.stringify(record.raw)).not.toThrow();
      }
      for (const p of problems) expect(p.reason).toEqual(expect.any(String));
      outcome = records.length + problems.length > 0 || path.includes('malformed') ? 'read' : 'empty';
    } catch (error) {
      expect(error).toBeInstanceOf(FeedError);
      expect(['NOT_A_FEED', 'MALFORMED_FEED']).toContain((error as FeedError).code);
      outcome = 'refused';
    }
    // a well-formed real export always yields something; only the files labelled malformed may be refused or empty
    if (!path.includes('malformed')) expect(outcome).toBe('read');
  });
});
