import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchRun } from './bench-report';
import { runReportSuite } from './render.main';
import { readReport, renderReports } from './render-reports';
import { syntheticReport } from './render.fixture';

describe('renderReports and the report suite', () => {
  let dir: string;
  let jsonPath: string;
  let exitCode: typeof process.exitCode;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    jsonPath = join(dir, 'e2e-2025-05-01T12-00-03-120Z.json');
    writeFileSync(jsonPath, JSON.stringify(syntheticReport()));
    exitCode = process.exitCode;
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    process.exitCode = exitCode;
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes <name>.md and <name>.html next to the JSON', async () => {
    const written = await renderReports(await readReport(jsonPath), jsonPath);
    expect(written).toEqual({
      markdownPath: join(dir, 'e2e-2025-05-01T12-00-03-120Z.md'),
      htmlPath: join(dir, 'e2e-2025-05-01T12-00-03-120Z.html'),
    });
    expect(readFileSync(written.markdownPath, 'utf8')).toMatch(/^# Switchboard benchmark: e2e/);
    expect(readFileSync(written.htmlPath, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('--suite report --in <file> --out-dir <dir> writes both there', async () => {
    await runReportSuite(['--in', jsonPath, '--out-dir', join(dir, 'out')]);
    expect(process.exitCode).toBe(exitCode);
    expect(existsSync(join(dir, 'out', 'e2e-2025-05-01T12-00-03-120Z.md'))).toBe(true);
    expect(existsSync(join(dir, 'out', 'e2e-2025-05-01T12-00-03-120Z.html'))).toBe(true);
  });

  it('refuses a tampered document: names the run, exits 1, writes nothing', async () => {
    const report = syntheticReport();
    (report.runs[2] as BenchRun).summary.max *= 3;
    writeFileSync(jsonPath, JSON.stringify(report));
    await runReportSuite([`--in=${jsonPath}`]);
    expect(process.exitCode).toBe(1);
    expect(console.error).toHaveBeenCalledWith(
      expect.stringContaining('e2e/post/monolith/constant@50#1'),
    );
    expect(existsSync(jsonPath.replace(/\.json$/, '.md'))).toBe(false);
    expect(existsSync(jsonPath.replace(/\.json$/, '.html'))).toBe(false);
  });

  it('explains its flags when --in is missing, and refuses a file that is not a report', async () => {
    await runReportSuite([]);
    expect(process.exitCode).toBe(2);
    expect(console.error).toHaveBeenCalledWith(expect.stringContaining('Usage: npm run bench'));

    writeFileSync(jsonPath, JSON.stringify({ options: {}, runs: [] }));
    await expect(readReport(jsonPath)).rejects.toThrow(/not a bench report .*format/);
  });
});
