// The partner site end to end: the real platform, the site built with Vite from the SDK package's build and served
// by its own server, and Debian's Chromium driving it from the site's origin (another port: another origin).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';
import { trackLiveSubscriptions, waitForLive } from '../../sdk/test/support';
import { MANIFEST_PATH, registerSiteDocuments } from '../partner-site/scripts/register-documents';
import { startPartnerSiteServer, type PartnerSiteServer } from '../partner-site/server/site-server';
import { BRAND, createPartnerWorld, LISBON, LOGO, PORTO } from './support/partner-world';
import { colourCounts, decodePng, pixelHex } from './support/png';
import {
  buildSite,
  closedPort,
  expectText,
  launchChromium,
  search,
  settled,
  submitSearch,
  titlesOn,
} from './support/site-browser';

// ical.js is an ES module with a CommonJS build; Jest runs this file as CommonJS
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

const REPO = join(__dirname, '..', '..');
const run = promisify(execFile);

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createPartnerWorld>>;
let browser: Browser;
let context: BrowserContext;
let site: PartnerSiteServer;
const extraSites: PartnerSiteServer[] = [];
let stranger: Server | undefined;

const data = <T = Record<string, any>>(query: string, variables?: Record<string, unknown>) => platform.data<T>(query, variables);

beforeAll(async () => {
  const [started] = await Promise.all([startTestPlatform(), buildSite()]);
  platform = started;
  trackLiveSubscriptions(platform);
  world = await createPartnerWorld(platform);
  site = await startPartnerSiteServer({ config: { gatewayUrl: platform.gateway.url, apiKey: world.key } });
  browser = await launchChromium();
  // a visitor in New York: the site must still show the venue's own clock
  context = await browser.newContext({ locale: 'en-GB', timezoneId: 'America/New_York', viewport: { width: 1100, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([site, ...extraSites].map((s) => s?.close()));
  await new Promise((done) => (stranger ? stranger.close(done) : done(undefined)));
  await platform?.stop();
});

describe('the partner site', () => {
  it('keeps its typed operations and their manifest generated from the SDK schema', async () => {
    // the generator is ESM-bound (GraphQL Code Generator): run as the script it is
    const tsx = join(REPO, 'node_modules', '.bin', 'tsx');
    const { stdout } = await run(tsx, [join(REPO, 'examples', 'partner-site', 'scripts', 'generate.ts'), '--check'], {
      cwd: REPO,
      timeout: 60_000,
    });
    expect(stdout).toContain('up to date  src/generated/graphql.ts');
    expect(stdout).toContain('up to date  src/generated/persisted-documents.json');
  });

  it('is served with its config, the app for every page address, and nothing outside the build', async () => {
    const get = (path: string, init?: RequestInit) => fetch(`${site.url}${path}`, init);
    const config = await get('/config.json');
    expect(config.headers.get('cache-control')).toBe('no-store');
    expect(await config.json()).toEqual({ gatewayUrl: platform.gateway.url, apiKey: world.key });
    const app = await get(`/events/${world.jazz.id}`);
    expect(app.status).toBe(200);
    expect(await app.text()).toContain('<div id="root"></div>');
    // the page may talk to its gateway (HTTP and graphql-ws) and load nothing from elsewhere
    const csp = app.headers.get('content-security-policy')!;
    expect(csp).toContain(
      `connect-src 'self' ${new URL(platform.gateway.url).origin} ws://${new URL(platform.gateway.url).host}`,
    );
    expect(csp).toContain("script-src 'self'");
    expect((await get('/assets/missing.js')).status).toBe(404);
    expect((await get('/%2e%2e/%2e%2e/package.json')).status).toBe(404);
    expect(await (await get('/..%2f..%2fpackage.json')).text()).not.toContain('@eventgraph/examples');
    expect((await get('/', { method: 'POST' })).status).toBe(405);
  });

  it('is branded, searches with every filter, pages, shows an event and its calendar file, and follows a change live', async () => {
    await world.allowOrigins([site.url]);
    const page = await context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (err) => failures.push(err.message));
    await page.goto(site.url);
    await settled(page);

    // the brand: name, logo, colours from the partner app's white-label configuration
    await expectText(page.getByTestId('brand-name'), BRAND.name);
    expect(await page.title()).toBe(`${BRAND.name} — events`);
    expect(await page.getByTestId('logo').getAttribute('src')).toBe(LOGO);
    expect(await page.getByTestId('logo').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(4);
    // the site bundles the SDK package's own ESM build, not its sources
    expect(await page.locator('.site').getAttribute('data-sdk-entry')).toBe('sdk/dist/index.mjs');

    // everything the key may see, soonest first, six to a page: the jazz night, the talk, seven sessions
    await expectText(page.getByTestId('count'), '9 events · page 1');
    const first = await titlesOn(page);
    expect(first).toEqual([
      'Harbour Jazz Night',
      'Porto Wine Talk',
      'Riverside Session 1',
      'Riverside Session 2',
      'Riverside Session 3',
      'Riverside Session 4',
    ]);
    await page.getByRole('button', { name: 'Next' }).click();
    await settled(page, 2);
    await expectText(page.getByTestId('count'), '9 events · page 2');
    const second = await titlesOn(page);
    expect(second).toEqual(['Riverside Session 5', 'Riverside Session 6', 'Riverside Session 7']);
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    // nothing out of scope on any page: drafts, unlisted, other categories, other organisations
    for (const hidden of ['Secret Rehearsal', 'Unlisted Jam', 'Harbour Regatta', 'Outsider Fest'])
      expect([...first, ...second]).not.toContain(hidden);
    await page.getByRole('button', { name: 'Previous' }).click();
    await settled(page, 1);
    await expectText(page.getByTestId('count'), '9 events · page 1');
    expect(await titlesOn(page)).toEqual(first);

    // the result page follows its organisations' changes too
    await waitForLive(platform, 'event.*');
    await data(`mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id } }`, {
      id: world.sessions[0],
      input: { title: 'Riverside Session 1 (sold out)' },
    });
    await expectText(page.locator(`[data-event-id="${world.sessions[0]}"] .title`), 'Riverside Session 1 (sold out)', 10_000);

    // text, category, date range (the visitor's days) and distance
    await search(page, { q: 'jazz' });
    expect(await titlesOn(page)).toEqual(['Harbour Jazz Night']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('jazz');
    await search(page, { category: 'talks' });
    expect(await titlesOn(page)).toEqual(['Porto Wine Talk']);
    await search(page, { from: '2027-07-02', to: '2027-07-04' });
    expect(await titlesOn(page)).toEqual(['Riverside Session 2', 'Riverside Session 3', 'Riverside Session 4']);
    await search(page, { lat: String(PORTO.latitude), lon: String(PORTO.longitude), km: '25' }, 'DISTANCE');
    expect(await titlesOn(page)).toEqual(['Porto Wine Talk']);
    await expectText(page.locator('[data-testid=result] .where'), /Douro Stage, Porto · 0\.0 km away/);
    await search(page, { q: 'outsider' }, 'START');
    await expectText(page.getByTestId('count'), '0 events');

    // the event page: its venue, coordinates and time in the venue's zone (19:30 in Lisbon, not New York's 14:30)
    await search(page, { q: 'jazz' });
    await page.getByRole('link', { name: 'Harbour Jazz Night' }).click();
    await expectText(page.getByTestId('event-title'), 'Harbour Jazz Night');
    expect(new URL(page.url()).pathname).toBe(`/events/${world.jazz.id}`);
    const when = await page.getByTestId('event-when').textContent();
    expect(when).toMatch(/Sat(urday)?,? 5 Jun(e)? 2027,? 19:30/);
    expect(when).toContain('Europe/Lisbon');
    expect(when).not.toContain('14:30');
    await expectText(page.getByTestId('event-where'), 'Harbour Hall, Cais do Sodré 1, Lisbon, PT');
    const map = await page.getByTestId('event-map').locator('a').first().getAttribute('href');
    expect(map).toContain(`mlat=${LISBON.latitude}&mlon=${LISBON.longitude}`);
    await expectText(page.locator('.description'), 'Late jazz by the river');
    // the organiser's contact, as the platform normalised it, with links a phone or mail app opens
    await expectText(
      page.getByTestId('event-contact'),
      'Questions? Harbour Hall box office · boxoffice@harbour.example · +351210000000',
    );
    expect(await page.getByTestId('event-contact').locator('a').first().getAttribute('href')).toBe(
      'mailto:boxoffice@harbour.example',
    );

    // add to calendar: the platform's feed of the event, parsed with a real iCalendar parser
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('add-to-calendar').click()]);
    const ics = readFileSync((await download.path())!, 'utf8');
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
    const vevent = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
    const calendarEvent = new ICAL.Event(vevent);
    expect(calendarEvent.summary).toBe('Harbour Jazz Night');
    expect(vevent.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Lisbon');
    expect(calendarEvent.startDate.toString()).toBe('2027-06-05T19:30:00');
    expect(calendarEvent.startDate.toJSDate().toISOString()).toBe(world.jazz.startsAt);
    expect(new URL(page.url()).pathname).toBe(`/events/${world.jazz.id}`); // the download did not navigate away

    // a change made through the API appears on the open page, without a reload
    await page.evaluate(() => ((globalThis as any).stillHere = true));
    await waitForLive(platform, 'event.*');
    await data(`mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id } }`, {
      id: world.jazz.id,
      input: {
        title: 'Harbour Jazz Night (moved indoors)',
        startsAt: '2027-06-05T19:00:00.000Z',
        endsAt: '2027-06-05T22:00:00.000Z',
      },
    });
    await expectText(page.getByTestId('event-title'), 'Harbour Jazz Night (moved indoors)', 10_000);
    await page.getByTestId('live-note').waitFor();
    expect(await page.getByTestId('event-when').textContent()).toMatch(/20:00/);
    expect(await page.evaluate(() => (globalThis as any).stillHere)).toBe(true);

    // the brand colour, as the page paints it: computed style and the screenshot's pixels
    const masthead = page.getByTestId('masthead');
    expect(await masthead.evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor)).toBe('rgb(11, 110, 79)');
    const shot = decodePng(await masthead.screenshot());
    expect(pixelHex(shot, 2, 2)).toBe(BRAND.primary);
    expect(colourCounts(shot)[0]![0]).toBe(BRAND.primary);
    const full = decodePng(await page.screenshot());
    expect(pixelHex(full, full.width - 3, 3)).toBe(BRAND.primary);

    // out of scope by id: the page says so instead of showing it
    for (const id of [world.hidden.outsider, world.hidden.sports, world.hidden.draft]) {
      await page.goto(`${site.url}/events/${id}`);
      await page.getByTestId('not-found').waitFor();
    }
    expect(failures).toEqual([]);
    await page.close();
  });

  it('tells a visitor when the key is refused, the service cannot be reached, or the key is rate limited', async () => {
    const slowKey = await world.newKey(3);
    const unknownKey = `egk_00000000-0000-4000-8000-000000000000.${'x'.repeat(43)}`;
    const refused = await startPartnerSiteServer({ config: { gatewayUrl: platform.gateway.url, apiKey: unknownKey } });
    const unreachable = await startPartnerSiteServer({
      config: { gatewayUrl: `http://localhost:${await closedPort()}/graphql`, apiKey: world.key },
    });
    const limited = await startPartnerSiteServer({ config: { gatewayUrl: platform.gateway.url, apiKey: slowKey } });
    extraSites.push(refused, unreachable, limited);
    // the partner's other sites (a staging copy, say) are listed too: a refusal must reach the page to be shown
    await world.allowOrigins([site.url, refused.url, limited.url]);
    const page = await context.newPage();

    const problemOn = async (url: string) => {
      await page.goto(url);
      const problem = page.getByTestId('problem');
      await problem.waitFor({ timeout: 20_000 });
      return { code: await problem.getAttribute('data-code'), text: await problem.textContent() };
    };
    expect(await problemOn(refused.url)).toEqual({
      code: 'UNAUTHENTICATED',
      text: expect.stringContaining("This site's access key was refused"),
    });
    expect(await problemOn(unreachable.url)).toEqual({
      code: 'NETWORK_ERROR',
      text: expect.stringContaining('The event service cannot be reached'),
    });

    // three requests a minute: the brand and the first page load, then a search or two, and the next must wait ~20 s
    await page.goto(limited.url);
    const problem = page.getByTestId('problem');
    for (let tries = 0; tries < 5 && !(await problem.isVisible()); tries++) {
      await page.locator('form [name=q]').waitFor();
      await submitSearch(page, { q: `jazz ${tries}` });
      await page.waitForFunction(() => {
        const results = (globalThis as any).document.querySelector('section.results');
        return (
          !!(globalThis as any).document.querySelector('[data-testid=problem]') || results?.getAttribute('aria-busy') === 'false'
        );
      });
    }
    await problem.waitFor();
    expect(await problem.getAttribute('data-code')).toBe('RATE_LIMITED');
    expect(await problem.textContent()).toMatch(/Too many requests right now.*try again in \d+ seconds/);
    await page.close();
  });

  it('is refused to a page on an origin the partner app does not list: no CORS headers, no data', async () => {
    await world.allowOrigins([site.url]);
    stranger = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((ready) => stranger!.listen(0, ready));
    const elsewhere = `http://localhost:${(stranger.address() as AddressInfo).port}`;
    const page = await context.newPage();
    await page.goto(elsewhere);
    const attempt = (gatewayUrl: string, key: string) =>
      page.evaluate(
        async ({ gatewayUrl, key }) => {
          try {
            const response = await fetch(gatewayUrl, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
              body: JSON.stringify({ query: '{ partnerBranding { brandName } }' }),
            });
            return { status: response.status, body: await response.text() };
          } catch (err) {
            return { failed: String(err) };
          }
        },
        { gatewayUrl, key },
      );
    // the browser blocks it: the page learns nothing, not even the status
    expect(await attempt(platform.gateway.url, world.key)).toEqual({ failed: expect.stringMatching(/Failed to fetch/) });

    // what the gateway answered (seen from outside a browser): no CORS headers and no data, for the request and its preflight
    const preflight = await fetch(platform.gateway.url, {
      method: 'OPTIONS',
      headers: {
        origin: elsewhere,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const direct = await fetch(platform.gateway.url, {
      method: 'POST',
      headers: { origin: elsewhere, 'content-type': 'application/json', authorization: `Bearer ${world.key}` },
      body: JSON.stringify({ query: '{ partnerBranding { brandName } }' }),
    });
    expect(direct.headers.get('access-control-allow-origin')).toBeNull();
    const body = (await direct.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions?.code).toBe('ORIGIN_NOT_ALLOWED');
    expect(JSON.stringify(body)).not.toContain(BRAND.name);

    // while the site's own origin is answered, with its origin and no wildcard
    const allowed = await fetch(platform.gateway.url, {
      method: 'OPTIONS',
      headers: {
        origin: site.url,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(site.url);
    await page.close();
  });

  it('runs in trusted-documents mode: its registered operations by hash alone, and its key runs nothing else', async () => {
    const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Record<string, string>;
    const hashes = await registerSiteDocuments({
      url: platform.gateway.url,
      token: platform.devToken,
      partnerAppId: world.partnerAppId,
      only: true,
    });
    expect(hashes.sort()).toEqual(Object.keys(manifest).sort());
    const trusted = await startPartnerSiteServer({
      config: { gatewayUrl: platform.gateway.url, apiKey: world.key, trustedDocuments: true },
    });
    extraSites.push(trusted);
    await world.allowOrigins([site.url, trusted.url]);
    // the key's mode reaches the gateway's cache over the bus: any text it sends is refused from then on
    const anyText = () => platform.request('{ partnerBranding { brandName } }', {}, { token: world.key });
    for (let deadline = Date.now() + 5000; (await anyText()).body.errors?.[0]?.extensions?.code !== 'UNTRUSTED_OPERATION';) {
      if (Date.now() > deadline) throw new Error('the key still runs unregistered operations');
      await new Promise((r) => setTimeout(r, 50));
    }

    const page = await context.newPage();
    const bodies: Array<{ query?: string; extensions?: { persistedQuery?: { sha256Hash: string } } }> = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === platform.gateway.url)
        bodies.push(JSON.parse(request.postData() ?? '{}'));
    });
    await page.goto(trusted.url);
    await settled(page);
    await expectText(page.getByTestId('brand-name'), BRAND.name);
    await expectText(page.getByTestId('count'), '9 events · page 1');
    await page.getByRole('link', { name: /^Harbour Jazz Night/ }).click();
    await page.getByTestId('event-title').waitFor();
    // the live update's subscription is the registered text too
    await waitForLive(platform, 'event.*');
    await data(`mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id } }`, {
      id: world.jazz.id,
      input: { title: 'Harbour Jazz Night (trusted)' },
    });
    await expectText(page.getByTestId('event-title'), 'Harbour Jazz Night (trusted)', 10_000);
    // brand, search, event: hashes of the manifest, never text
    expect(bodies.length).toBeGreaterThanOrEqual(3);
    for (const body of bodies) {
      expect(body.query).toBeUndefined();
      expect(Object.keys(manifest)).toContain(body.extensions?.persistedQuery?.sha256Hash);
    }
    await page.close();
  });
});
