/**
 * The data behind the HTML report's charts, computed in Node from each run's HdrHistogram (never
 * from the summaries) and embedded in the page as JSON, so the page needs no decoder of its own.
 */
import { type JsHistogram } from 'hdr-histogram-js';
import { type BenchReport, type BenchRun } from './bench-report';
import { describeOffered, formatRate, runsByLine, scenariosOf, seriesLabel } from './render.model';
import { decodeHistogram } from './verify-report';

/** One line of the percentile spectrum: latency (ms) at each x of the chart, null past its data. */
export interface SpectrumLine {
  label: string;
  color: string;
  values: (number | null)[];
}

/**
 * Latency by percentile. x is the percentile on a "nines" scale, -log10(1 − p): 50 % → 0.30,
 * 90 % → 1, 99 % → 2, 99.9 % → 3, so each further nine of the tail gets the same width.
 */
export interface SpectrumChart {
  x: number[];
  lines: SpectrumLine[];
  logY: boolean;
}

/** One line of throughput vs latency: a point per offered load, in increasing offered load. */
export interface CurveLine {
  label: string;
  color: string;
  /** Dashed for p50, solid for p99. */
  dash: number[];
  /** Achieved operations per second. */
  x: number[];
  /** Latency, ms. */
  y: number[];
}

export interface ThroughputChart {
  lines: CurveLine[];
  logY: boolean;
  xRange: [number, number];
  yRange: [number, number];
}

export interface ScenarioCharts {
  scenario: string;
  spectrum: SpectrumChart;
  throughput: ThroughputChart;
}

/** Step of the spectrum's x grid, in nines: ~50 points per decade of the tail. */
const NINES_STEP = 0.02;
/** Beyond 8 nines a histogram of a benchmark run has nothing to say. */
const MAX_NINES = 8;
/** Above this max/min ratio a latency axis is drawn on a log scale, or the fast lines vanish. */
const LOG_SCALE_RATIO = 20;
/** Hues of a categorical palette that stays apart for common colour-vision deficiencies. */
const HUES = [212, 28, 135, 352, 272, 185, 48, 318];

/** Runs of one line at one offered load: several when the suite ran rounds. */
interface Point {
  label: string;
  runs: BenchRun[];
  histogram: JsHistogram;
}

export function chartData(report: BenchReport): ScenarioCharts[] {
  return scenariosOf(report).map((scenario) => {
    const lines = runsByLine(report, scenario);
    const colors = new Map(
      [...lines.keys()].map((label, i) => [label, HUES[i % HUES.length] as number]),
    );
    const points = new Map(
      [...lines].map(([label, runs]) => [label, pointsOf(label, runs)] as const),
    );
    return {
      scenario,
      spectrum: spectrum(points, colors),
      throughput: throughput(report, scenario, points, colors),
    };
  });
}

/**
 * A line's runs pooled by offered load: rounds at the same load are one distribution (their
 * histograms added), so a chart shows a line per load, not per round. Empty runs are left out.
 */
function pointsOf(label: string, runs: BenchRun[]): Point[] {
  const byLoad = new Map<string, BenchRun[]>();
  for (const run of runs) {
    if (run.summary.count === 0) continue;
    const key = describeOffered(run);
    byLoad.set(key, [...(byLoad.get(key) ?? []), run]);
  }
  return [...byLoad.values()].map((group) => {
    const [first, ...rest] = group as [BenchRun, ...BenchRun[]];
    const histogram = decodeHistogram(first.histogram);
    histogram.autoResize = true;
    for (const run of rest) histogram.add(decodeHistogram(run.histogram));
    return { label, runs: group, histogram };
  });
}

function spectrum(points: Map<string, Point[]>, hues: Map<string, number>): SpectrumChart {
  const all = [...points.values()].flat();
  const severalLoads = [...points.values()].some((line) => line.length > 1);
  const nines = (point: Point): number =>
    Math.min(MAX_NINES, Math.log10(Math.max(1, point.histogram.totalCount)));
  const xMax = Math.max(0, ...all.map(nines));
  const x: number[] = [];
  for (let i = 0; i * NINES_STEP < xMax; i++) x.push(round(i * NINES_STEP, 4));
  x.push(round(xMax, 4));

  const lines: SpectrumLine[] = [];
  for (const [label, line] of points) {
    line.forEach((point, index) => {
      const limit = nines(point);
      const pooled = point.runs.length > 1 ? ` (${point.runs.length} runs)` : '';
      lines.push({
        label: `${label}${severalLoads ? ` @ ${shortLoad(point.runs[0] as BenchRun)}` : ''}${pooled}`,
        color: color(hues.get(label) ?? 0, index, line.length),
        values: withMaxLast(
          x.map((nx) =>
            nx <= limit + 1e-9
              ? ms(point.histogram.getValueAtPercentile(100 * (1 - 10 ** -nx)))
              : null,
          ),
          ms(point.histogram.maxValue),
        ),
      });
    });
  }
  const ys = lines.flatMap((line) => line.values.filter((v): v is number => v !== null));
  return { x, lines, logY: wideRange(ys) };
}

/**
 * The 100th percentile has no place on a nines scale (it is infinitely far right), and the last
 * percentile a run of N operations can tell apart, 1 − 1/N, is its second-largest value; the
 * slowest operation is the one a reader looks for, so each line ends at its max.
 */
function withMaxLast(values: (number | null)[], max: number): (number | null)[] {
  const last = values.findLastIndex((value) => value !== null);
  return last < 0 ? values : values.map((value, i) => (i === last ? max : value));
}

/**
 * A line per topology/implementation and percentile: its sweep's runs when there is a sweep (the
 * knee is in them), otherwise all its runs, each offered load one point.
 */
function throughput(
  report: BenchReport,
  scenario: string,
  points: Map<string, Point[]>,
  hues: Map<string, number>,
): ThroughputChart {
  const lines: CurveLine[] = [];
  for (const [label, line] of points) {
    const sweep = report.sweeps.find((s) => s.scenario === scenario && seriesLabel(s) === label);
    const chosen = sweep
      ? line.filter((point) => point.runs.some((run) => sweep.runs.includes(run.id)))
      : line;
    const x = chosen.map((point) => round(mean(point.runs.map((run) => run.achievedRate)), 3));
    const base = color(hues.get(label) ?? 0, 0, 1);
    for (const [percentile, dash] of [
      [99, []],
      [50, [6, 4]],
    ] as const) {
      lines.push({
        label: `${label} p${percentile}`,
        color: base,
        dash: [...dash],
        x,
        y: chosen.map((point) => ms(point.histogram.getValueAtPercentile(percentile))),
      });
    }
  }
  const xs = lines.flatMap((line) => line.x);
  const ys = lines.flatMap((line) => line.y);
  const logY = wideRange(ys);
  const yMax = Math.max(...ys, 0);
  const yMin = Math.min(...ys.filter((y) => y > 0), yMax);
  return {
    lines,
    logY,
    xRange: [0, Math.max(1, Math.max(0, ...xs) * 1.08)],
    yRange: logY ? [yMin / 1.5, yMax * 1.5] : [0, Math.max(yMax * 1.1, 0.001)],
  };
}

/** `200/s` or `c=64`: a legend entry short enough for two per row (the table has the arrival). */
function shortLoad(run: BenchRun): string {
  return run.arrival === 'closed' ? `c=${run.offered}` : `${formatRate(run.offered)}/s`;
}

/** The line's hue; with several loads, lighter for low loads and darker for high ones. */
function color(hue: number, index: number, count: number): string {
  const lightness = count === 1 ? 42 : Math.round(70 - (42 * index) / (count - 1));
  return `hsl(${hue}, 65%, ${lightness}%)`;
}

function wideRange(values: number[]): boolean {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return false;
  return Math.max(...positive) / Math.min(...positive) > LOG_SCALE_RATIO;
}

/** ns → ms, 4 significant digits: finer than the histogram's own resolution, and a smaller page. */
function ms(ns: number): number {
  return Number((ns / 1e6).toPrecision(4));
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
