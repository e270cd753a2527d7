import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { type BenchReport } from './bench-report';
import { renderHtml } from './render-html';
import { renderMarkdown } from './render-markdown';

export interface RenderedReports {
  markdownPath: string;
  htmlPath: string;
}

/**
 * Writes `<name>.md` and `<name>.html` for the report saved at `jsonPath` (`<name>.json`), next
 * to it or in `outDir`. Suites call it right after writing their JSON. Both are rendered before
 * either is written, so a document that fails its histogram check leaves no half of a report.
 */
export async function renderReports(
  report: BenchReport,
  jsonPath: string,
  outDir?: string,
): Promise<RenderedReports> {
  const markdown = renderMarkdown(report);
  const html = renderHtml(report);
  const dir = outDir ?? dirname(jsonPath);
  const name = basename(jsonPath, extname(jsonPath));
  const paths = { markdownPath: join(dir, `${name}.md`), htmlPath: join(dir, `${name}.html`) };
  await mkdir(dir, { recursive: true });
  await writeFile(paths.markdownPath, markdown);
  await writeFile(paths.htmlPath, html);
  return paths;
}

/**
 * Reads a `BenchReport` JSON file. Only the shape the renderers walk is checked here; the format
 * and the figures are checked by `assertRenderable` when rendering.
 */
export async function readReport(path: string): Promise<BenchReport> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: cannot read a bench report: ${(error as Error).message}`);
  }
  const document = parsed as Partial<Record<keyof BenchReport, unknown>> | null;
  const missing = [
    ...(typeof document?.format === 'string' ? [] : ['format']),
    ...(['runs', 'sweeps', 'notes', 'argv'] as const).filter(
      (key) => !Array.isArray(document?.[key]),
    ),
    ...(typeof document?.environment === 'object' && document.environment !== null
      ? []
      : ['environment']),
  ];
  if (missing.length > 0) {
    throw new Error(`${path}: not a bench report (missing or malformed: ${missing.join(', ')})`);
  }
  return parsed as BenchReport;
}
