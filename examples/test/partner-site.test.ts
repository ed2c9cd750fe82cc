// The partner site end to end: the real platform, the site built with Vite from the SDK package's build and served
// by its own server, and Debian's Chromium driving it from the site's origin (another port: another origin).
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';
import { trackLiveSubscriptions, waitForLive } from '../../sdk/test/support';
import { startPartnerSiteServer, type PartnerSiteServer } from '../partner-site/server/site-server';
import { colourCounts, decodePng, pixelHex } from './support/png';

// ical.js is an ES module with a CommonJS build; Jest runs this file as CommonJS
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

const REPO = join(__dirname, '..', '..');
const run = promisify(execFile);
const BRAND = { name: 'Harbour Nights', primary: '#0b6e4f', accent: '#ffd166' };
// a 4×4 SVG logo inline: data: images are allowed by the white-label rules and the site's CSP alike
const LOGO = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="#ffd166"/></svg>').toString('base64')}`;
const LISBON = { latitude: 38.7071, longitude: -9.1355 };
const PORTO = { latitude: 41.1496, longitude: -8.6109 };

let platform: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let site: PartnerSiteServer;
const extraSites: PartnerSiteServer[] = [];
let stranger: Server | undefined;
let partnerAppId: string;
let partnerKey: string;
const world = {
  orgId: '',
  jazz: { id: '', startsAt: '2027-06-05T18:30:00.000Z' },
  draftId: '',
  outsiderId: '',
  unlistedId: '',
  sportsId: '',
};

const data = <T = Record<string, any>>(query: string, variables?: Record<string, unknown>) => platform.data<T>(query, variables);

async function createEvent(
  venueId: string,
  title: string,
  startsAt: string,
  categories: string[],
  extra: Record<string, unknown> = {},
) {
  const end = new Date(new Date(startsAt).getTime() + 3 * 3600_000).toISOString();
  const slug = `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${Math.random().toString(36).slice(2, 6)}`;
  const { createEvent: event } = await data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
    input: { venueId, title, slug, startsAt, endsAt: end, categories, ...extra },
  });
  return event.id as string;
}
const publish = (id: string) => data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { id } }`, { id });

async function createOrganisation(name: string) {
  const tag = Math.random().toString(36).slice(2, 8);
  const { createUser: owner } = await data(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
    input: { email: `owner-${tag}@example.com`, displayName: 'Olive Owner' },
  });
  const { createOrganization: org } = await data(
    `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`,
    {
      input: { name, slug: `${name.toLowerCase().replace(/\W+/g, '-')}-${tag}`, ownerId: owner.id },
    },
  );
  return org.id as string;
}

async function createVenue(organizationId: string, name: string, city: string, at: { latitude: number; longitude: number }) {
  const { createVenue: venue } = await data(`mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, {
    input: {
      organizationId,
      name,
      slug: `${name.toLowerCase().replace(/\W+/g, '-')}-${Math.random().toString(36).slice(2, 6)}`,
      timeZone: 'Europe/Lisbon',
      city,
      countryCode: 'PT',
      addressLine1: 'Cais do Sodré 1',
      ...at,
    },
  });
  return venue.id as string;
}

const whiteLabel = (origins: string[]) => ({
  brandName: BRAND.name,
  primaryColor: BRAND.primary,
  accentColor: BRAND.accent,
  logoUrl: LOGO,
  allowedOrigins: origins,
  allowedCategories: ['music', 'talks'],
});

/** sdk/dist/index.mjs is newer than every input of the SDK's build (as a build cache would decide) */
function sdkBuildIsCurrent(): boolean {
  const sdk = join(REPO, 'sdk');
  const built = statSync(join(sdk, 'dist', 'index.mjs'), { throwIfNoEntry: false });
  if (!built) return false;
  const inputs = [join(sdk, 'package.json'), join(sdk, 'tsup.config.ts'), join(sdk, 'tsconfig.build.json')];
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
        entry.isDirectory() ? newest(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs,
      ),
    );
  const changed = Math.max(newest(join(sdk, 'src')), ...inputs.map((f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0));
  return built.mtimeMs > changed;
}

/** Builds the SDK package (when it has a build) and the site from it, as `npm run build -w sdk` and the site's build do. */
async function buildSite() {
  const sdkManifest = JSON.parse(readFileSync(join(REPO, 'sdk', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (sdkManifest.scripts?.build && !sdkBuildIsCurrent())
    await run('npm', ['run', 'build', '-w', '@eventgraph/sdk'], { cwd: REPO, timeout: 90_000 });
  await run(
    process.execPath,
    [
      join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      join(REPO, 'examples', 'partner-site', 'vite.config.mts'),
    ],
    {
      cwd: REPO,
      timeout: 60_000,
    },
  );
}

beforeAll(async () => {
  const [started] = await Promise.all([startTestPlatform(), buildSite()]);
  platform = started;
  trackLiveSubscriptions(platform);

  world.orgId = await createOrganisation('Harbour Arts');
  const harbour = await createVenue(world.orgId, 'Harbour Hall', 'Lisbon', LISBON);
  const porto = await createVenue(world.orgId, 'Douro Stage', 'Porto', PORTO);
  world.jazz.id = await createEvent(harbour, 'Harbour Jazz Night', world.jazz.startsAt, ['music'], {
    description: '<p>Late <strong>jazz</strong> by the river</p>',
  });
  const sessions = await Promise.all(
    [1, 2, 3, 4, 5, 6, 7].map((n) => createEvent(harbour, `Riverside Session ${n}`, `2027-07-0${n}T19:00:00.000Z`, ['music'])),
  );
  const talk = await createEvent(porto, 'Porto Wine Talk', '2027-06-10T17:00:00.000Z', ['talks']);
  // out of the partner's scope: a draft, an unlisted event, a category it does not show, another organisation's event
  world.draftId = await createEvent(harbour, 'Secret Rehearsal', '2027-06-06T18:00:00.000Z', ['music']);
  world.unlistedId = await createEvent(harbour, 'Unlisted Jam', '2027-06-07T18:00:00.000Z', ['music'], {
    visibility: 'UNLISTED',
  });
  world.sportsId = await createEvent(harbour, 'Harbour Regatta', '2027-06-08T10:00:00.000Z', ['sports']);
  const otherOrg = await createOrganisation('Outsider Promotions');
  const otherVenue = await createVenue(otherOrg, 'Outsider Club', 'Lisbon', LISBON);
  world.outsiderId = await createEvent(otherVenue, 'Outsider Fest', '2027-06-05T20:00:00.000Z', ['music']);
  await Promise.all([world.jazz.id, ...sessions, talk, world.unlistedId, world.sportsId, world.outsiderId].map(publish));

  const { createPartnerApp } = await data(
    `mutation($o: ID!, $w: WhiteLabelInput!) { createPartnerApp(organizationId: $o, name: "Harbour site", whiteLabel: $w) { id } }`,
    { o: world.orgId, w: whiteLabel([]) },
  );
  partnerAppId = createPartnerApp.id;
  const { createApiKey } = await data(
    `mutation($app: ID!) { createApiKey(partnerAppId: $app, name: "site", scopes: ["events:read"]) { secret } }`,
    { app: partnerAppId },
  );
  partnerKey = createApiKey.secret;

  site = await startPartnerSiteServer({ config: { gatewayUrl: platform.gateway.url, apiKey: partnerKey } });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  // a visitor in New York: the site must still show the venue's own clock
  context = await browser.newContext({ locale: 'en-GB', timezoneId: 'America/New_York', viewport: { width: 1100, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([site, ...extraSites].map((s) => s?.close()));
  await new Promise((done) => (stranger ? stranger.close(done) : done(undefined)));
  await platform?.stop();
});

/** a port nothing listens on */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, ready));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** lets the partner site's origins call the gateway: the partner app lists them in its white-label configuration */
async function allowOrigins(origins: string[]) {
  await data(`mutation($id: ID!, $w: WhiteLabelInput!) { updatePartnerApp(id: $id, whiteLabel: $w) { id } }`, {
    id: partnerAppId,
    w: whiteLabel(origins),
  });
}

/** waits until the element's text is (or matches) the expected one; Playwright's own expect is not part of playwright-core */
async function expectText(locator: Locator, expected: string | RegExp, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: string | null | undefined;
  for (;;) {
    seen = await locator
      .first()
      .textContent({ timeout: timeoutMs })
      .catch(() => undefined);
    if (seen != null && (typeof expected === 'string' ? seen === expected : expected.test(seen))) return;
    if (Date.now() > deadline) throw new Error(`expected ${String(expected)}, the page shows ${JSON.stringify(seen)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const titlesOn = async (page: Page) => page.locator('[data-testid=result] .title').allTextContents();

type SearchFields = Partial<Record<'q' | 'from' | 'to' | 'category' | 'lat' | 'lon' | 'km', string>>;

/** fills the search form as a visitor would (every field: what is not given is cleared) and submits it */
async function submitSearch(page: Page, fields: SearchFields, sort?: string) {
  for (const name of ['q', 'from', 'to', 'category', 'lat', 'lon', 'km'] as const)
    await page.locator(`form [name=${name}]`).fill(fields[name] ?? '');
  if (sort) await page.locator('form [name=sort]').selectOption(sort);
  await page.getByRole('button', { name: 'Search' }).click();
}

async function search(page: Page, fields: SearchFields, sort?: string) {
  await submitSearch(page, fields, sort);
  await settled(page);
}

/** waits until the results on the page are those of the address's search, on that page number, loaded */
async function settled(page: Page, pageNumber = 1) {
  // runs in the page (the test's TypeScript knows no DOM: the page's globals are reached through globalThis)
  await page.waitForFunction((n) => {
    const { document, location } = globalThis as any;
    const results = document.querySelector('section.results');
    return (
      results?.getAttribute('data-query') === location.search.slice(1) &&
      results.getAttribute('data-page') === String(n) &&
      results.getAttribute('aria-busy') === 'false'
    );
  }, pageNumber);
}

describe('the partner site', () => {
  it('keeps its typed operations generated from the SDK schema', async () => {
    // the generator is ESM-bound (GraphQL Code Generator): run as the script it is
    const tsx = join(REPO, 'node_modules', '.bin', 'tsx');
    const { stdout } = await run(tsx, [join(REPO, 'examples', 'partner-site', 'scripts', 'generate.ts'), '--check'], {
      cwd: REPO,
      timeout: 60_000,
    });
    expect(stdout).toContain('up to date  src/generated/graphql.ts');
  });

  it('is branded, searches with every filter, pages, shows an event and its calendar file, and follows a change live', async () => {
    await allowOrigins([site.url]);
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
    for (const id of [world.outsiderId, world.sportsId, world.draftId]) {
      await page.goto(`${site.url}/events/${id}`);
      await page.getByTestId('not-found').waitFor();
    }
    expect(failures).toEqual([]);
    await page.close();
  });

  it('tells a visitor when the key is refused, the service cannot be reached, or the key is rate limited', async () => {
    const { createApiKey: slow } = await data(
      `mutation($app: ID!) { createApiKey(partnerAppId: $app, name: "tiny", scopes: ["events:read"], rateLimitPerMinute: 3) { secret } }`,
      { app: partnerAppId },
    );
    const unknownKey = `egk_00000000-0000-4000-8000-000000000000.${'x'.repeat(43)}`;
    const refused = await startPartnerSiteServer({ config: { gatewayUrl: platform.gateway.url, apiKey: unknownKey } });
    const unreachable = await startPartnerSiteServer({
      config: { gatewayUrl: `http://localhost:${await closedPort()}/graphql`, apiKey: partnerKey },
    });
    const limited = await startPartnerSiteServer({ config: { gatewayUrl: platform.gateway.url, apiKey: slow.secret } });
    extraSites.push(refused, unreachable, limited);
    // the partner's other sites (a staging copy, say) are listed too: a refusal must reach the page to be shown
    await allowOrigins([site.url, refused.url, limited.url]);
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
    await allowOrigins([site.url]);
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
    expect(await attempt(platform.gateway.url, partnerKey)).toEqual({ failed: expect.stringMatching(/Failed to fetch/) });

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
      headers: { origin: elsewhere, 'content-type': 'application/json', authorization: `Bearer ${partnerKey}` },
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
});
