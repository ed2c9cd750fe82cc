import { checkLogoUrl, checkOrigin, checkOrigins, MAX_ALLOWED_ORIGINS } from '../src/domain/white-label';

describe("a partner site's origins", () => {
  it('are scheme, host and port, as browsers send them', () => {
    expect(checkOrigin('https://events.example.com')).toEqual({ ok: true, value: 'https://events.example.com' });
    expect(checkOrigin('HTTPS://Events.Example.COM:8443')).toEqual({ ok: true, value: 'https://events.example.com:8443' });
    // the default port is not part of the origin browsers send
    expect(checkOrigin('https://events.example.com:443')).toEqual({ ok: true, value: 'https://events.example.com' });
    expect(checkOrigin('http://localhost:5173')).toEqual({ ok: true, value: 'http://localhost:5173' });
    expect(checkOrigin('http://127.0.0.1:3000')).toEqual({ ok: true, value: 'http://127.0.0.1:3000' });
  });

  it('refuse paths, wildcards, credentials and plain http off this machine', () => {
    for (const bad of [
      'https://events.example.com/',
      'https://events.example.com/site',
      'https://events.example.com?x=1',
      'https://*.example.com',
      '*',
      'https://user:pw@events.example.com',
      'http://events.example.com',
      'ftp://events.example.com',
      'events.example.com',
      'null',
      '',
    ]) {
      expect(checkOrigin(bad)).toMatchObject({ ok: false, message: expect.any(String) });
    }
  });

  it('are listed once each, at most a bounded number, naming the bad entry', () => {
    expect(checkOrigins(['https://a.example', 'https://A.example', 'https://b.example'])).toEqual({
      ok: true,
      value: ['https://a.example', 'https://b.example'],
    });
    expect(checkOrigins(['https://a.example', 'https://a.example/x'])).toMatchObject({ ok: false, index: 1 });
    const many = Array.from({ length: MAX_ALLOWED_ORIGINS + 1 }, (_, i) => `https://s${i}.example`);
    expect(checkOrigins(many).ok).toBe(false);
  });
});

describe("a partner site's logo", () => {
  it('is an https URL or a small inline image', () => {
    expect(checkLogoUrl('https://cdn.example.com/logo.svg')).toEqual({ ok: true, value: 'https://cdn.example.com/logo.svg' });
    const png = `data:image/png;base64,${Buffer.from('png bytes').toString('base64')}`;
    expect(checkLogoUrl(png)).toEqual({ ok: true, value: png });
    expect(checkLogoUrl('data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E').ok).toBe(true);
  });

  it('refuses other schemes, other media types, bad base64 and large inline images', () => {
    for (const bad of [
      'http://cdn.example.com/logo.png',
      'javascript:alert(1)',
      'data:text/html;base64,PHNjcmlwdD4=',
      'data:image/png;base64,not base64!',
      `data:image/png;base64,${Buffer.alloc(65 * 1024).toString('base64')}`,
      'https://user:pw@cdn.example.com/logo.png',
      'logo.png',
    ]) {
      expect(checkLogoUrl(bad)).toMatchObject({ ok: false, message: expect.any(String) });
    }
  });
});
