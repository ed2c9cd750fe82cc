import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Locator, type Page } from 'playwright-core';
import { ensureSdkBuild } from '../../../sdk/scripts/ensure-build';

/** Building the partner site and driving it in Debian's Chromium. */

const REPO = join(__dirname, '..', '..', '..');
const run = promisify(execFile);

/** Builds the SDK package (`npm run build -w @eventgraph/sdk`, unless its build is current) and the site from it. */
export async function buildSite(): Promise<void> {
  await ensureSdkBuild();
  const vite = join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
  const config = join(REPO, 'examples', 'partner-site', 'vite.config.mts');
  await run(process.execPath, [vite, 'build', '--config', config], { cwd: REPO, timeout: 60_000 });
}

export const launchChromium = () =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });

/** a port nothing listens on */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, ready));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** waits until the element's text is (or matches) the expected one; Playwright's own expect is not part of playwright-core */
export async function expectText(locator: Locator, expected: string | RegExp, timeoutMs = 5000): Promise<void> {
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

export const titlesOn = (page: Page) => page.locator('[data-testid=result] .title').allTextContents();

export type SearchFields = Partial<Record<'q' | 'from' | 'to' | 'category' | 'lat' | 'lon' | 'km', string>>;

/** fills the search form as a visitor would (every field: what is not given is cleared) and submits it */
export async function submitSearch(page: Page, fields: SearchFields, sort?: string): Promise<void> {
  for (const name of ['q', 'from', 'to', 'category', 'lat', 'lon', 'km'] as const)
    await page.locator(`form [name=${name}]`).fill(fields[name] ?? '');
  if (sort) await page.locator('form [name=sort]').selectOption(sort);
  await page.getByRole('button', { name: 'Search' }).click();
}

/** waits until the results on the page are those of the address's search, on that page number, loaded */
export async function settled(page: Page, pageNumber = 1): Promise<void> {
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

export async function search(page: Page, fields: SearchFields, sort?: string): Promise<void> {
  await submitSearch(page, fields, sort);
  await settled(page);
}
