import { ConfigError, loadPlatformSettings } from '../src/config';

describe('configuration', () => {
  it('has working defaults for the embedded platform', () => {
    const settings = loadPlatformSettings({});
    expect(settings).toMatchObject({ EVENTGRAPH_DATA_DIR: './.eventgraph', EVENTGRAPH_BUS: 'memory', NODE_ENV: 'development' });
    expect(settings.DATABASE_URL).toBeUndefined();
  });

  it('names every bad setting in one error', () => {
    let error: unknown;
    try {
      loadPlatformSettings({
        DATABASE_URL: 'mysql://nope',
        EVENTGRAPH_BUS: 'carrier-pigeon',
        EVENTGRAPH_PRINCIPAL_SECRET: 'short',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('EVENTGRAPH_BUS');
    expect(message).toContain('EVENTGRAPH_PRINCIPAL_SECRET: must be at least 16 characters');
  });

  it('refuses the development secret in production', () => {
    expect(() => loadPlatformSettings({ NODE_ENV: 'production' })).toThrow(/EVENTGRAPH_PRINCIPAL_SECRET/);
    expect(() => loadPlatformSettings({ NODE_ENV: 'production', EVENTGRAPH_PRINCIPAL_SECRET: 'x'.repeat(32) })).toThrow(
      /EVENTGRAPH_JWT_SECRET/,
    );
    expect(
      loadPlatformSettings({
        NODE_ENV: 'production',
        EVENTGRAPH_PRINCIPAL_SECRET: 'x'.repeat(32),
        EVENTGRAPH_JWT_SECRET: 'y'.repeat(32),
      }).NODE_ENV,
    ).toBe('production');
  });

  it('keeps two deployments on one NATS server apart', () => {
    expect(loadPlatformSettings({})).toMatchObject({
      NATS_STREAM: 'EVENTGRAPH',
      NATS_SUBJECT_PREFIX: 'eventgraph',
      EVENTGRAPH_MIGRATIONS: 'apply',
    });
    expect(() => loadPlatformSettings({ NATS_SUBJECT_PREFIX: 'a.b' })).toThrow(/NATS_SUBJECT_PREFIX/);
    expect(() => loadPlatformSettings({ EVENTGRAPH_MIGRATIONS: 'later' })).toThrow(/EVENTGRAPH_MIGRATIONS/);
  });
});
