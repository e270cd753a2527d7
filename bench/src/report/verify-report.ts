import { decodeFromCompressedBase64, type Histogram, JsHistogram } from 'hdr-histogram-js';
import { type LatencySummary } from '../runner/latency.recorder';
import { type BenchReport, type BenchRun } from './bench-report';

/** The only `BenchReport.format` these renderers understand. */
export const BENCH_REPORT_FORMAT: BenchReport['format'] = 'switchboard-bench/1';

/** One figure of a run's `summary` that its histogram does not support. */
export interface SummaryMismatch {
  runId: string;
  /** The summary field, or `histogram` when the histogram cannot be decoded at all. */
  field: keyof LatencySummary | 'histogram';
  /** As stored, in the summary's unit (µs; a plain number for `count`). */
  stored?: number;
  /** What the histogram says, same unit. */
  recomputed?: number;
  message: string;
}

/** The percentiles a summary carries, as `getValueAtPercentile` arguments. */
const PERCENTILES = [
  ['p50', 50],
  ['p90', 90],
  ['p99', 99],
  ['p999', 99.9],
] as const;

/**
 * Decodes a histogram as the suites write it (`encodeIntoCompressedBase64`, values in ns). Always a
 * `JsHistogram` (WebAssembly is not asked for), whose equivalent-value ranges the check needs.
 */
export function decodeHistogram(base64: string): JsHistogram {
  const histogram: Histogram = decodeFromCompressedBase64(base64);
  if (!(histogram instanceof JsHistogram)) {
    throw new Error('hdr-histogram-js decoded into an unexpected histogram type');
  }
  return histogram;
}

/**
 * Recomputes every run's latency summary from its histogram and returns what does not match —
 * empty when the document is consistent. The histograms are the record; a summary that disagrees
 * was edited, computed from other data, or written by a bug, and must not be published.
 *
 * "Match" allows for HdrHistogram's resolution: a stored figure may differ from the recomputed one
 * by up to one bucket width there (~0.1 % at 3 significant digits), since a writer may report a
 * bucket's lowest, middle or highest value, or a mean of the raw samples, and rounding ns → µs adds
 * a little. `count` must be exact.
 */
export function verifyReport(report: BenchReport): SummaryMismatch[] {
  return report.runs.flatMap((run) => verifyRun(run));
}

function verifyRun(run: BenchRun): SummaryMismatch[] {
  let histogram: JsHistogram;
  try {
    histogram = decodeHistogram(run.histogram);
  } catch (error) {
    return [
      {
        runId: run.id,
        field: 'histogram',
        message: `histogram cannot be decoded: ${(error as Error).message}`,
      },
    ];
  }
  const stored = run.summary as Partial<LatencySummary> | undefined;
  const mismatches: SummaryMismatch[] = [];
  const check = (field: keyof LatencySummary, recomputedNs: number): void => {
    const value = stored?.[field];
    const recomputed = recomputedNs / 1_000;
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      !withinResolution(histogram, value * 1_000, recomputedNs)
    ) {
      const window = histogram.sizeOfEquivalentValueRange(recomputedNs) / 1_000;
      mismatches.push({
        runId: run.id,
        field,
        stored: value,
        recomputed,
        message: `${field}: stored ${String(value)} µs, histogram says ${round(recomputed)} µs (±${round(window)} µs)`,
      });
    }
  };
  for (const [field, percentile] of PERCENTILES) {
    check(field, histogram.getValueAtPercentile(percentile));
  }
  check('max', histogram.maxValue);
  check('mean', histogram.mean);
  if (stored?.count !== histogram.totalCount) {
    mismatches.push({
      runId: run.id,
      field: 'count',
      stored: stored?.count,
      recomputed: histogram.totalCount,
      message: `count: stored ${String(stored?.count)}, histogram holds ${histogram.totalCount}`,
    });
  }
  return mismatches;
}

/**
 * Whether `storedNs` is within one bucket width of `recomputedNs` (plus 1 ns for rounding): that
 * admits a bucket's lowest, middle or highest value, and a mean taken from the raw samples.
 */
function withinResolution(histogram: JsHistogram, storedNs: number, recomputedNs: number): boolean {
  const toleranceNs = histogram.sizeOfEquivalentValueRange(recomputedNs) + 1;
  return Math.abs(storedNs - recomputedNs) <= toleranceNs;
}

function round(value: number): number {
  return Math.round(value * 1_000) / 1_000;
}

/**
 * What every renderer checks before it prints a figure: a format it knows, run ids that are unique
 * and that the sweeps point at, and summaries that match their histograms. Throws naming the runs,
 * so a document that contradicts itself is never published.
 */
export function assertRenderable(report: BenchReport): void {
  if ((report.format as string) !== BENCH_REPORT_FORMAT) {
    throw new Error(
      `unknown bench report format "${String(report.format)}" (this renderer reads ${BENCH_REPORT_FORMAT})`,
    );
  }
  const ids = new Set<string>();
  const duplicates = new Set<string>();
  for (const run of report.runs) (ids.has(run.id) ? duplicates : ids).add(run.id);
  if (duplicates.size > 0) {
    throw new Error(`bench report: run ids are not unique: ${[...duplicates].join(', ')}`);
  }
  const dangling = report.sweeps.flatMap((sweep) =>
    [...sweep.runs, ...(sweep.atHalfKnee === undefined ? [] : [sweep.atHalfKnee])].filter(
      (id) => !ids.has(id),
    ),
  );
  if (dangling.length > 0) {
    throw new Error(`bench report: sweeps name runs it does not hold: ${dangling.join(', ')}`);
  }
  const mismatches = verifyReport(report);
  if (mismatches.length > 0) {
    const runIds = [...new Set(mismatches.map((m) => m.runId))];
    throw new Error(
      `bench report: the summaries of ${runIds.length} run(s) do not match their histograms: ` +
        `${runIds.join(', ')}\n` +
        mismatches.map((m) => `  ${m.runId}: ${m.message}`).join('\n'),
    );
  }
}
