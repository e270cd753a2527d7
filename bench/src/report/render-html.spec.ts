import { readFileSync } from 'node:fs';
import { type BenchRun } from './bench-report';
import { type ScenarioCharts } from './render-charts';
import { renderHtml } from './render-html';
import { syntheticReport } from './render.fixture';
import { decodeHistogram } from './verify-report';

const UPLOT_JS = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
/** uPlot's licence banner: the one URL the page carries, as text, not as a reference. */
const UPLOT_BANNER = '/*! https://github.com/leeoniya/uPlot (v1.6.32) */';

function chartsOf(html: string): ScenarioCharts[] {
  const json = /<script type="application\/json" id="bench-data">(.*?)<\/script>/s.exec(html)?.[1];
  if (json === undefined) throw new Error('no chart data in the page');
  return (JSON.parse(json) as { scenarios: ScenarioCharts[] }).scenarios;
}

function run(id: string): BenchRun {
  const found = syntheticReport().runs.find((r) => r.id === id);
  if (!found) throw new Error(`no run ${id}`);
  return found;
}

/** ms, 4 significant digits, as the charts carry them. */
const ms = (ns: number): number => Number((ns / 1e6).toPrecision(4));

describe('renderHtml', () => {
  const html = renderHtml(syntheticReport());

  it('references nothing on the network: no external script, style, font or image', () => {
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<img\b/i);
    expect(html).not.toMatch(/@import|@font-face|url\(/i);
    expect(html.split(UPLOT_BANNER).join('')).not.toMatch(/https?:\/\//i);
  });

  it('inlines uPlot and its stylesheet', () => {
    expect(html).toContain(UPLOT_JS);
    expect(html).toContain(readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'));
  });

  it('reads on its own: title with date and sha, how to read it, environment, tables, notes', () => {
    expect(html).toContain('<title>Switchboard benchmark: e2e — 2025-05-01 — 3f9c2e1a7b4d</title>');
    expect(html).toContain('<h2>How to read this</h2>');
    expect(html).toMatch(/intended send time/);
    expect(html).toMatch(/same machine as the system under test/);
    expect(html).toContain('<td>2 × AMD EPYC 7B13, 23.5 GiB, Linux 6.1.0 x64</td>');
    expect(html).toContain(
      '<td class="num">1.00</td><td class="num">2.00</td><td class="num">5.00</td><td class="num">20.0</td><td class="num">100</td>',
    );
    expect(html).toContain('<h2>Sweeps</h2>');
    expect(html).toContain(
      '<li>services: p99 at 400/s within the 50 ms target — <code>PASS</code></li>',
    );
    expect(html.match(/<section class="scenario"/g)).toHaveLength(2);
  });

  it('carries a percentile spectrum per scenario computed from the histograms', () => {
    const [post, echo] = chartsOf(html);
    expect(post?.scenario).toBe('post');
    // Two rounds of each topology at one load: pooled into one line each.
    expect(post?.spectrum.lines.map((line) => line.label)).toEqual([
      'services (2 runs)',
      'monolith (2 runs)',
    ]);
    expect(echo?.spectrum.lines.map((line) => line.label)).toEqual([
      ...['100', '200', '400', '800', '1,600'].map((r) => `services · platform @ ${r}/s`),
      ...['100', '200', '400', '800', '1,600', '3,200'].map((r) => `monolith · platform @ ${r}/s`),
    ]);

    // x is -log10(1 - p): x = 2 is p99 and x = 3 is p99.9, read from the run's own histogram.
    const spectrum = echo?.spectrum;
    const histogram = decodeHistogram(run('e2e/echo/services/poisson@800').histogram);
    const line = spectrum?.lines[3]?.values ?? [];
    expect(line[spectrum?.x.indexOf(2) ?? -1]).toBe(ms(histogram.getValueAtPercentile(99)));
    expect(line[spectrum?.x.indexOf(3) ?? -1]).toBe(ms(histogram.getValueAtPercentile(99.9)));
    // Each line ends at its run's slowest operation, then has no data (4,000 operations: 3.6 nines).
    const last = line.findLastIndex((value) => value !== null);
    expect(line[last]).toBe(ms(histogram.maxValue));
    expect(spectrum?.x[last]).toBeCloseTo(Math.log10(4_000), 1);
  });

  it('carries throughput against p50 and p99 per topology, from the sweep runs', () => {
    const [, echo] = chartsOf(html);
    const lines = echo?.throughput.lines ?? [];
    expect(lines.map((line) => line.label)).toEqual([
      'services · platform p99',
      'services · platform p50',
      'monolith · platform p99',
      'monolith · platform p50',
    ]);
    const services = [100, 200, 400, 800, 1_600].map((rate) =>
      run(`e2e/echo/services/poisson@${rate}`),
    );
    expect(lines[0]?.x).toEqual(services.map((r) => Number(r.achievedRate.toFixed(3))));
    expect(lines[0]?.y).toEqual(
      services.map((r) => ms(decodeHistogram(r.histogram).getValueAtPercentile(99))),
    );
    expect(lines[1]?.y).toEqual(
      services.map((r) => ms(decodeHistogram(r.histogram).getValueAtPercentile(50))),
    );
  });

  it('escapes what the document says, so a note cannot inject markup', () => {
    const report = syntheticReport();
    report.notes.push('</script><script>alert(1)</script>');
    report.runs[0] = { ...(report.runs[0] as BenchRun), topology: '<b>services</b>' };
    const page = renderHtml(report);
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<b>services</b>');
    expect(chartsOf(page)[0]?.spectrum.lines.map((line) => line.label)).toContain(
      '<b>services</b>',
    );
  });

  it('refuses a document whose summary was edited, naming the run', () => {
    const report = syntheticReport();
    const tampered = report.runs.find((r) => r.id === 'e2e/echo/monolith/poisson@1600') as BenchRun;
    tampered.summary.p99 = tampered.summary.p99 / 2;
    expect(() => renderHtml(report)).toThrow(/e2e\/echo\/monolith\/poisson@1600/);
  });
});
