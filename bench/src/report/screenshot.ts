import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium unless `CHROMIUM_PATH` says otherwise: Playwright's own download is not available everywhere. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Headless, and quiet: no background requests, updates or sync, so the only traffic is the page
 * itself. Playwright gives every launch a fresh temporary profile (user-data-dir).
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Wide enough for the two charts of a scenario side by side. */
const VIEWPORT = { width: 1280, height: 900 };
const LOAD_TIMEOUT_MS = 15_000;

/** The Chromium to drive, or an error saying where to get one. */
export function chromiumPath(): string {
  const path = process.env['CHROMIUM_PATH'] ?? DEFAULT_CHROMIUM;
  if (!existsSync(path)) {
    throw new Error(
      `Chromium is not installed at ${path}: install it (Debian/Ubuntu: \`apt-get install chromium\`) ` +
        'or set CHROMIUM_PATH to a Chromium or Chrome binary. (`npx playwright install` needs a ' +
        'download that is not available everywhere; any recent Chromium works.)',
    );
  }
  return path;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

/** A report page once its charts are drawn, with what went wrong on the way. */
export interface LoadedReport {
  page: Page;
  /** Uncaught errors and console errors. */
  errors: string[];
  /** Every URL the page asked for beyond its own file (all refused): a self-contained page has none. */
  requests: string[];
}

/**
 * Opens a rendered HTML report from its file and waits until its script has drawn the charts
 * (`<body data-charts="ready">`). Any request that is not a `file:` URL is refused and recorded,
 * so a page that depends on the network fails here rather than in a reader's browser.
 */
export async function loadReport(browser: Browser, htmlPath: string): Promise<LoadedReport> {
  const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.route(
    (url) => url.protocol !== 'file:',
    (route) => {
      requests.push(route.request().url());
      return route.abort();
    },
  );
  await page.goto(pathToFileURL(resolve(htmlPath)).href);
  await page.waitForSelector('body[data-charts]', { timeout: LOAD_TIMEOUT_MS, state: 'attached' });
  return { page, errors, requests };
}

/**
 * Saves a full-page PNG of a rendered HTML report, as it looks in a browser — for
 * docs/benchmarks.md and pull requests. Refuses a page whose charts failed or that reached for
 * the network.
 */
export async function screenshotReport(htmlPath: string, pngPath: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const { page, errors, requests } = await loadReport(browser, htmlPath);
    const state = await page.getAttribute('body', 'data-charts');
    if (state !== 'ready' || errors.length > 0 || requests.length > 0) {
      throw new Error(
        `${htmlPath} did not render cleanly (charts: ${state ?? 'none'}):\n` +
          [...errors, ...requests.map((url) => `network request: ${url}`)]
            .map((line) => `  ${line}`)
            .join('\n'),
      );
    }
    await mkdir(dirname(resolve(pngPath)), { recursive: true });
    await page.screenshot({ path: pngPath, fullPage: true });
  } finally {
    await browser.close();
  }
}
