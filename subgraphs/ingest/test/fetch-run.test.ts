import { checkFetchRunTransition, emptyRunCounts, finishedStatus } from '../src/domain/fetch-run';
import { averageRecordsPerRunOf, freshnessOf, MAX_RETRY_DELAY_MS, nextRunAfter, successRateOf } from '../src/domain/run-schedule';
import { isFetchableUrl, sourceSettingsProblems, type SourceSettings } from '../src/domain/source-settings';

describe('fetch runs', () => {
  it('end once: successfully, partly or not at all', () => {
    expect(checkFetchRunTransition('RUNNING', 'SUCCEEDED')).toEqual({ ok: true });
    expect(checkFetchRunTransition('RUNNING', 'PARTIAL')).toEqual({ ok: true });
    expect(checkFetchRunTransition('RUNNING', 'FAILED')).toEqual({ ok: true });
    expect(checkFetchRunTransition('SUCCEEDED', 'FAILED')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(checkFetchRunTransition('PARTIAL', 'RUNNING')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
  });

  it('are partial when some records were refused', () => {
    expect(finishedStatus(emptyRunCounts())).toBe('SUCCEEDED');
    expect(finishedStatus({ ...emptyRunCounts(), found: 3, new: 2, rejected: 1 })).toBe('PARTIAL');
  });
});

describe('run schedule', () => {
  const finishedAt = new Date('2027-01-01T00:00:00Z');
  const after = (ms: number) => new Date(finishedAt.getTime() + ms);

  it('runs again after its schedule once it succeeded, and not at all when run on demand only', () => {
    expect(nextRunAfter(finishedAt, { succeeded: true, failureStreak: 0, scheduleSeconds: 3600 })).toEqual(after(3600_000));
    expect(nextRunAfter(finishedAt, { succeeded: false, failureStreak: 3, scheduleSeconds: 0 })).toBeNull();
  });

  it('backs off after failures, doubling from a minute, with jitter, never past the schedule or six hours', () => {
    const at = (streak: number, random: number, scheduleSeconds = 86_400) =>
      nextRunAfter(finishedAt, { succeeded: false, failureStreak: streak, scheduleSeconds }, () => random)!.getTime() -
      finishedAt.getTime();
    expect(at(1, 0)).toBe(30_000);
    expect(at(1, 1)).toBe(60_000);
    expect(at(3, 1)).toBe(240_000);
    expect(at(30, 1)).toBe(MAX_RETRY_DELAY_MS);
    expect(at(30, 1, 600)).toBe(600_000);
  });

  it('tells a source’s health from its runs', () => {
    const now = new Date('2027-01-02T00:00:00Z');
    expect(freshnessOf(null, 3600, now)).toBe('NEVER');
    expect(freshnessOf(new Date('2027-01-01T23:00:00Z'), 3600, now)).toBe('FRESH');
    expect(freshnessOf(new Date('2027-01-01T21:00:00Z'), 3600, now)).toBe('STALE');
    expect(freshnessOf(new Date('2027-01-01T01:00:00Z'), 0, now)).toBe('FRESH');
    expect(successRateOf(0, 0)).toBeNull();
    expect(successRateOf(4, 3)).toBe(0.75);
    expect(averageRecordsPerRunOf(4, 10)).toBe(2.5);
  });
});

describe('source settings', () => {
  const base: SourceSettings = {
    kind: 'RSS',
    url: 'https://example.org/feed.xml',
    config: {},
    scheduleSeconds: 3600,
    priority: 0,
    requestsPerMinute: 60,
    autoApproveQuality: null,
  };
  const fields = (over: Partial<SourceSettings>) => sourceSettingsProblems({ ...base, ...over }).map((p) => p.field);

  it('fetch only http(s) URLs', () => {
    expect(isFetchableUrl('https://calendar.example.org/feed.ics')).toBe(true);
    expect(isFetchableUrl('http://example.org/rss')).toBe(true);
    expect(isFetchableUrl('file:///etc/passwd')).toBe(false);
    expect(isFetchableUrl('gopher://example.org')).toBe(false);
    expect(isFetchableUrl('not a url')).toBe(false);
    expect(fields({ url: 'file:///etc/passwd' })).toEqual(['url']);
  });

  it('ask a URL of fetched kinds, none of uploaded and pushed ones, and either of iCalendar', () => {
    expect(fields({})).toEqual([]);
    expect(fields({ url: null })).toEqual(['url']);
    expect(fields({ kind: 'ICAL', url: null })).toEqual([]);
    expect(fields({ kind: 'WEBHOOK', config: { itemsPath: 'events', fields: { title: 'name', startsAt: 'start' } } })).toContain(
      'url',
    );
  });

  it('check the mapping of mapped kinds', () => {
    expect(fields({ kind: 'CSV', url: null, config: {} })).toContain('config');
  });

  it('bound the schedule, priority, rate and auto-approval', () => {
    expect(fields({ scheduleSeconds: 0 })).toEqual([]);
    expect(fields({ scheduleSeconds: 10 })).toEqual(['scheduleSeconds']);
    expect(fields({ scheduleSeconds: -1 })).toEqual(['scheduleSeconds']);
    expect(fields({ priority: 101 })).toEqual(['priority']);
    expect(fields({ requestsPerMinute: 0 })).toEqual(['requestsPerMinute']);
    expect(fields({ autoApproveQuality: 1.5 })).toEqual(['autoApproveQuality']);
    expect(fields({ autoApproveQuality: 0.7 })).toEqual([]);
  });
});
