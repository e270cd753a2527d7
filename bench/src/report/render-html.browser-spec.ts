import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { renderHtml } from './render-html';
import { syntheticReport } from './render.fixture';
import { chromiumPath, launchChromium, loadReport, screenshotReport } from './screenshot';

/**
 * Per scenario, the chart canvases that hold coloured pixels: the series are drawn in saturated
 * colours, axes and grid in greys, so an empty or failed chart counts as not drawn.
 */
const DRAWN_CANVASES = `Array.from(document.querySelectorAll('section.scenario')).map((section) => ({
  scenario: section.dataset.scenario,
  drawn: Array.from(section.querySelectorAll('canvas')).filter((canvas) => {
    if (canvas.width === 0 || canvas.height === 0) return false;
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < pixels.length; i += 4) {
      const [r, g, b, a] = [pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]];
      if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) return true;
    }
    return false;
  }).length,
}))`;

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the HTML report in Chromium', () => {
  let dir: string;
  let htmlPath: string;
  let browser: Browser;

  beforeAll(async () => {
    chromiumPath(); // fails here, with where to get it, when Chromium is missing
    dir = mkdtempSync(join(tmpdir(), 'bench-report-browser-'));
    htmlPath = join(dir, 'e2e.html');
    writeFileSync(htmlPath, renderHtml(syntheticReport()));
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws two charts per scenario from file://, with no error and no network request', async () => {
    const { page, errors, requests } = await loadReport(browser, htmlPath);
    try {
      expect(await page.getAttribute('body', 'data-charts')).toBe('ready');
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(await page.evaluate(DRAWN_CANVASES)).toEqual([
        { scenario: 'post', drawn: 2 },
        { scenario: 'echo', drawn: 2 },
      ]);
    } finally {
      await page.close();
    }
  }, 30_000);

  it('saves a full-page PNG of it', async () => {
    const pngPath = join(dir, 'shots', 'report.png');
    await screenshotReport(htmlPath, pngPath);
    const { width, height } = pngSize(readFileSync(pngPath));
    expect(width).toBe(1280);
    // The whole page, not the 900-pixel viewport: two scenarios of charts and tables.
    expect(height).toBeGreaterThan(2_000);
  }, 30_000);

  it('refuses to photograph a page whose charts failed', async () => {
    const brokenPath = join(dir, 'broken.html');
    writeFileSync(
      brokenPath,
      readFileSync(htmlPath, 'utf8').replace(/("scenarios":\[)/, '$1{"scenario":"x"},'),
    );
    await expect(screenshotReport(brokenPath, join(dir, 'broken.png'))).rejects.toThrow(
      /did not render cleanly \(charts: error\)/,
    );
  }, 30_000);
});
