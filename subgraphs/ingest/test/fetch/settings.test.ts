import { loadFetchSettings } from '../../src/fetch';

describe('fetch settings', () => {
  it('denies private targets by default in production only, and says when a setting is wrong', () => {
    expect(loadFetchSettings({ NODE_ENV: 'production' }).privateTargets).toBe('deny');
    expect(loadFetchSettings({}).privateTargets).toBe('allow');
    expect(loadFetchSettings({ NODE_ENV: 'production', INGEST_PRIVATE_TARGETS: 'allow' }).privateTargets).toBe('allow');
    expect(loadFetchSettings({ INGEST_PRIVATE_HOSTS_ALLOWED: ' Feeds.Internal , ,cal.lan' }).privateHostsAllowed).toEqual([
      'feeds.internal',
      'cal.lan',
    ]);
    expect(() => loadFetchSettings({ INGEST_PRIVATE_TARGETS: 'maybe', INGEST_FETCH_TIMEOUT_MS: '5' })).toThrow(
      /INGEST_PRIVATE_TARGETS: must be allow or deny[\s\S]*INGEST_FETCH_TIMEOUT_MS: must be an integer from 100 to 300000/,
    );
  });
});
