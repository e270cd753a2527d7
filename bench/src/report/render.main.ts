/**
 * `npm run bench -- --suite report --in <file.json>`: renders a saved `BenchReport` as Markdown and
 * a self-contained HTML page (and optionally a PNG of that page), after checking every run's
 * summary against its histogram. Runs nothing and measures nothing.
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readReport, renderReports } from './render-reports';

export const REPORT_USAGE = `Usage: npm run bench -- --suite report --in <file.json> [--out-dir <dir>] [--screenshot <file.png>]

  --in <file.json>        a BenchReport written by a suite (dist/bench/<suite>-<timestamp>.json)
  --out-dir <dir>         where <name>.md and <name>.html go (default: next to the JSON)
  --screenshot <file.png> also save a full-page PNG of the HTML, drawn in headless Chromium
                          (/usr/bin/chromium, or the binary CHROMIUM_PATH names)

A report whose summaries do not match its histograms is refused: the runs are named, nothing is written.`;

export async function runReportSuite(argv: string[]): Promise<void> {
  let values: { in?: string; 'out-dir'?: string; screenshot?: string; help: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        in: { type: 'string' },
        'out-dir': { type: 'string' },
        screenshot: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
    if (!values.help && values.in === undefined) throw new Error('--in: expected a report file');
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${REPORT_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (values.help || values.in === undefined) {
    console.log(REPORT_USAGE);
    return;
  }

  const jsonPath = resolve(values.in);
  const outDir = values['out-dir'] === undefined ? undefined : resolve(values['out-dir']);
  const shown = (path: string): string => {
    const near = relative(process.cwd(), path);
    return near === '' || near.startsWith('..') ? path : near;
  };
  try {
    const { markdownPath, htmlPath } = await renderReports(
      await readReport(jsonPath),
      jsonPath,
      outDir,
    );
    console.log(`Markdown: ${shown(markdownPath)}\nHTML:     ${shown(htmlPath)}`);
    if (values.screenshot !== undefined) {
      // Loaded only when asked for: rendering needs no browser.
      const { screenshotReport } = await import('./screenshot');
      const pngPath = resolve(values.screenshot);
      await screenshotReport(htmlPath, pngPath);
      console.log(`PNG:      ${shown(pngPath)}`);
    }
  } catch (error) {
    // A refused document or a missing browser is the message, not a stack trace.
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
