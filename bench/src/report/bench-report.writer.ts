import { type BenchReport } from './bench-report';
import { writeJson } from './json.writer';
import { renderReports } from './render-reports';

/**
 * Writes a {@link BenchReport} as JSON to `path` (directories created), then the Markdown and the
 * self-contained HTML page rendered from it next to it, and returns the files written. The JSON is
 * the record; the pages are derived from it and can be rendered again with `--suite report`.
 */
export async function writeBenchReport(report: BenchReport, path: string): Promise<string[]> {
  await writeJson(path, report);
  const { markdownPath, htmlPath } = await renderReports(report, path);
  return [path, markdownPath, htmlPath];
}
