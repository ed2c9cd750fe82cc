import { checkFetchRunTransition, isFetchableUrl } from '../src/domain/fetch-run';

describe('fetch runs', () => {
  it('end once, successfully or not', () => {
    expect(checkFetchRunTransition('RUNNING', 'SUCCEEDED')).toEqual({ ok: true });
    expect(checkFetchRunTransition('RUNNING', 'FAILED')).toEqual({ ok: true });
    expect(checkFetchRunTransition('SUCCEEDED', 'FAILED')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(checkFetchRunTransition('FAILED', 'RUNNING')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
  });

  it('fetch only http(s) sources', () => {
    expect(isFetchableUrl('https://calendar.example.org/feed.ics')).toBe(true);
    expect(isFetchableUrl('http://example.org/rss')).toBe(true);
    expect(isFetchableUrl('file:///etc/passwd')).toBe(false);
    expect(isFetchableUrl('gopher://example.org')).toBe(false);
    expect(isFetchableUrl('not a url')).toBe(false);
  });
});
