import { readFileSync } from 'node:fs';
import { type BenchReport } from './bench-report';
import { chartData } from './render-charts';
import {
  environmentRows,
  HOW_TO_READ,
  runDate,
  scenarioTables,
  shortSha,
  SWEEPS_INTRO,
  sweepTable,
  type Table,
} from './render.model';
import { assertRenderable, BENCH_REPORT_FORMAT } from './verify-report';

interface UplotAssets {
  script: string;
  css: string;
  /** Printed on the page: which code drew its charts (pinned in package.json). */
  version: string;
}

let uplotAssets: UplotAssets | undefined;

/** uPlot's browser build and stylesheet, read once from node_modules to be inlined in every page. */
function readUplot(): UplotAssets {
  uplotAssets ??= {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    version: (
      JSON.parse(readFileSync(require.resolve('uplot/package.json'), 'utf8')) as { version: string }
    ).version,
  };
  return uplotAssets;
}

/**
 * The report as one self-contained HTML page: inline CSS, uPlot and the chart data inlined, no
 * request to the network when it is viewed (it is read from a file, a CI artifact, an email).
 * Charts per scenario: the latency percentile spectrum of every run, from its HdrHistogram, and
 * throughput against p50/p99 latency. Throws, naming the runs, when a summary does not match
 * its histogram.
 */
export function renderHtml(report: BenchReport): string {
  assertRenderable(report);
  const uplot = readUplot();
  const charts = chartData(report);
  const tables = scenarioTables(report);
  const sweeps = sweepTable(report);
  const title = `Switchboard benchmark: ${report.suite} — ${runDate(report)} — ${shortSha(report)}`;

  const scenarios = tables.map(({ scenario, table }, index) => {
    const chart = charts.find((c) => c.scenario === scenario);
    const logNote = (log: boolean | undefined): string => (log ? ' Latency on a log scale.' : '');
    return `<section class="scenario" data-scenario="${escapeHtml(scenario)}">
<h2>Scenario <code>${escapeHtml(scenario)}</code></h2>
<div class="charts">
<figure>
<div class="chart" id="spectrum-${index}" data-chart="spectrum"></div>
<figcaption><b>Latency by percentile.</b> Each line is the whole latency distribution of one
topology or implementation at one offered load, from its histogram, up to its slowest operation;
x is the percentile on a “nines” scale, so 90, 99, 99.9 and 99.99 are equally far apart. A line
that climbs at the right has a heavy tail.${logNote(chart?.spectrum.logY)}</figcaption>
</figure>
<figure>
<div class="chart" id="throughput-${index}" data-chart="throughput"></div>
<figcaption><b>Throughput against latency.</b> One point per offered load (a sweep’s steps when
there is a sweep): x the rate achieved, y the p99 (solid) and p50 (dashed). Where a line turns
up steeply or stops moving right, the system is saturated — that is the knee.${logNote(chart?.throughput.logY)}</figcaption>
</figure>
</div>
${htmlTable(table)}
</section>`;
  });

  const environment = environmentRows(report)
    .map(
      ([label, value]) =>
        `<tr><th scope="row">${escapeHtml(label)}</th><td>${
          label === 'command' ? `<code>${escapeHtml(value)}</code>` : escapeHtml(value)
        }</td></tr>`,
    )
    .join('\n');

  // `<` escaped so nothing in a label can close the script element early.
  const data = JSON.stringify({ scenarios: charts }).replace(/</g, '\\u003c');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>/* uPlot ${uplot.version} (MIT) */
${uplot.css}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>Switchboard benchmark: <code>${escapeHtml(report.suite)}</code></h1>
<p class="meta">${escapeHtml(runDate(report))} · git <code>${escapeHtml(shortSha(report))}</code> ·
${tables.length} scenario(s), ${report.runs.length} run(s)</p>
<p class="chart-error" id="chart-error" hidden></p>
</header>
<section class="how">
<h2>How to read this</h2>
<p>${inline(HOW_TO_READ)}</p>
</section>
<section>
<h2>Environment</h2>
<table class="report-table environment">
${environment}
</table>
</section>
${scenarios.join('\n')}
${
  sweeps
    ? `<section>
<h2>Sweeps</h2>
<p>${inline(SWEEPS_INTRO)}</p>
${htmlTable(sweeps)}
</section>`
    : ''
}
${
  report.notes.length > 0
    ? `<section>
<h2>Notes</h2>
<ul>
${report.notes.map((note) => `<li>${inline(note)}</li>`).join('\n')}
</ul>
</section>`
    : ''
}
<footer>Rendered from a <code>${BENCH_REPORT_FORMAT}</code> document whose summaries match its
histograms. Charts drawn by uPlot ${uplot.version}, inlined: this page makes no network request.</footer>
<script type="application/json" id="bench-data">${data}</script>
<script>${uplot.script.replace(/<\/script/gi, '<\\/script')}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

function htmlTable(table: Table): string {
  const classes = { left: '', right: ' class="num"', text: ' class="text"' };
  const cell = (tag: 'th' | 'td', text: string, i: number): string =>
    `<${tag}${classes[table.align[i] ?? 'left']}>${escapeHtml(text)}</${tag}>`;
  return `<div class="table"><table class="report-table">
<thead><tr>${table.header.map((h, i) => cell('th', h, i)).join('')}</tr></thead>
<tbody>
${table.rows.map((row) => `<tr>${row.map((c, i) => cell('td', c, i)).join('')}</tr>`).join('\n')}
</tbody>
</table></div>`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Escaped text with Markdown's `code` spans kept as code, so notes read the same in both reports. */
function inline(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** System fonts only: a web font would be a request, and the page must make none. */
const PAGE_CSS = `
:root { color-scheme: light; --fg: #1d232b; --muted: #5b6573; --rule: #d9dee5; --band: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; color: var(--fg); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
code { font: 0.92em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--band);
  padding: 0 4px; border-radius: 3px; }
.meta { color: var(--muted); margin: 0; }
.how p { max-width: 90ch; }
/* Scoped to the report's own tables: uPlot's legend is a table too. */
.report-table { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums; }
.report-table th, .report-table td { padding: 4px 10px; text-align: left; vertical-align: top;
  border-bottom: 1px solid var(--rule); white-space: nowrap; }
.report-table thead th { background: var(--band); font-weight: 600; }
.report-table tbody tr:nth-child(even) { background: #fafbfc; }
.report-table .num { text-align: right; }
.report-table .text { white-space: normal; overflow-wrap: anywhere; min-width: 16ch; }
.environment th { font-weight: 600; color: var(--muted); }
.environment td { white-space: normal; }
.table { overflow-x: auto; margin: 12px 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 16px 24px; }
figure { margin: 0; min-width: 0; }
.chart { width: 100%; min-height: 340px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
.u-legend { font-size: 12px; }
.u-legend.u-inline tr { margin-right: 10px; }
.u-legend .u-marker { width: 1.2em; }
.chart-error { color: #b00020; font-weight: 600; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
@media print { body { max-width: none; } .charts { grid-template-columns: 1fr 1fr; } }
`;

/**
 * Runs in the browser: draws the charts from the embedded data with uPlot. Plain ES2017, no build
 * step. Sets `data-charts` on <body> to `ready` (or `error`) so a screenshot or a test knows when
 * the page is complete.
 */
const CLIENT_SCRIPT = `
(function () {
  'use strict';
  var HEIGHT = 340;
  var charts = [];

  function fmtMs(v) {
    if (v == null) return '–';
    if (v >= 100) return Math.round(v).toLocaleString('en-US');
    if (v >= 10) return v.toFixed(1);
    if (v >= 1) return v.toFixed(2);
    if (v >= 0.01) return v.toFixed(3);
    return String(Number(v.toPrecision(2)));
  }
  // Axis ticks without trailing zeros: 1, 2.5, 1,000.
  function fmtTick(v) {
    return v == null ? '' : Number(v.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 6 });
  }
  // x = -log10(1 - p) back to a percentile: 0.301 -> 50, 2 -> 99, 3 -> 99.9.
  function percentile(nines) {
    var p = 100 * (1 - Math.pow(10, -nines));
    return String(Number(p.toFixed(Math.max(0, Math.ceil(nines)))));
  }
  function ninesTicks(u, axisIdx, min, max) {
    var ticks = [Math.log10(2)];
    for (var n = 1; n <= Math.floor(max + 1e-9); n++) ticks.push(n);
    return ticks.filter(function (t) { return t >= min - 1e-9 && t <= max + 1e-9; });
  }
  function yScale(log, range) {
    var scale = log ? { distr: 3, log: 10 } : {};
    if (range) { scale.auto = false; scale.range = range; }
    else if (!log) scale.range = function (u, min, max) { return [0, max > 0 ? max * 1.08 : 1]; };
    return scale;
  }
  function latencyAxis() {
    return { label: 'latency (ms)', size: 64, values: function (u, splits) { return splits.map(fmtTick); } };
  }
  function widthOf(el) { return Math.max(300, Math.floor(el.getBoundingClientRect().width)); }

  function spectrum(chart, el) {
    var xMax = chart.x[chart.x.length - 1];
    var opts = {
      width: widthOf(el),
      height: HEIGHT,
      scales: { x: { time: false, range: [0, Math.max(xMax, 0.5)] }, y: yScale(chart.logY) },
      axes: [
        { label: 'percentile (%)', splits: ninesTicks, values: function (u, splits) { return splits.map(percentile); } },
        latencyAxis()
      ],
      series: [{ label: 'percentile', value: function (u, v) { return v == null ? '–' : percentile(v) + ' %'; } }]
        .concat(chart.lines.map(function (line) {
          return {
            label: line.label, stroke: line.color, width: 2, points: { show: false },
            value: function (u, v) { return v == null ? '–' : fmtMs(v) + ' ms'; }
          };
        })),
      // Values under the cursor while the legend stays short; a long one is a plain key.
      legend: { live: chart.lines.length <= 4 }
    };
    var data = [chart.x].concat(chart.lines.map(function (line) { return line.values; }));
    return new uPlot(opts, data, el);
  }

  function markPoints(u, chart) {
    var ctx = u.ctx;
    var radius = 3.5 * (window.devicePixelRatio || 1);
    ctx.save();
    chart.lines.forEach(function (line, k) {
      if (!u.series[k + 1].show) return;
      ctx.strokeStyle = line.color;
      ctx.fillStyle = line.dash.length > 0 ? '#fff' : line.color;
      ctx.lineWidth = 1.5 * (window.devicePixelRatio || 1);
      ctx.setLineDash([]);
      for (var j = 0; j < line.x.length; j++) {
        ctx.beginPath();
        ctx.arc(u.valToPos(line.x[j], 'x', true), u.valToPos(line.y[j], 'y', true), radius, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
    });
    ctx.restore();
  }

  // mode 2: each line has its own x values (achieved rates), drawn in order of offered load.
  function throughput(chart, el) {
    var opts = {
      mode: 2,
      width: widthOf(el),
      height: HEIGHT,
      scales: {
        x: { time: false, auto: false, range: chart.xRange },
        y: yScale(chart.logY, chart.yRange)
      },
      axes: [
        { label: 'achieved rate (operations/s)', values: function (u, splits) {
          return splits.map(fmtTick);
        } },
        latencyAxis()
      ],
      series: [{}].concat(chart.lines.map(function (line) {
        return { label: line.label, stroke: line.color, width: 2, dash: line.dash, points: { show: false } };
      })),
      legend: { live: false },
      cursor: { drag: { x: false, y: false, setScale: false } },
      // uPlot's own point markers follow mode 1's indices; in mode 2 each measured load is marked
      // here instead (p99 filled, p50 hollow), so a line of one point is still seen.
      hooks: { draw: [function (u) { markPoints(u, chart); }] }
    };
    var data = [null].concat(chart.lines.map(function (line) { return [line.x, line.y]; }));
    return new uPlot(opts, data, el);
  }

  try {
    var data = JSON.parse(document.getElementById('bench-data').textContent);
    data.scenarios.forEach(function (scenario, i) {
      var s = document.getElementById('spectrum-' + i);
      var t = document.getElementById('throughput-' + i);
      charts.push({ el: s, plot: spectrum(scenario.spectrum, s) });
      charts.push({ el: t, plot: throughput(scenario.throughput, t) });
    });
    window.addEventListener('resize', function () {
      charts.forEach(function (c) { c.plot.setSize({ width: widthOf(c.el), height: HEIGHT }); });
    });
    document.body.setAttribute('data-charts', 'ready');
  } catch (error) {
    var message = document.getElementById('chart-error');
    message.hidden = false;
    message.textContent = 'The charts could not be drawn: ' + error;
    document.body.setAttribute('data-charts', 'error');
    console.error(error);
  }
})();
`;
