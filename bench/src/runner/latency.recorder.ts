import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/**
 * Latencies go into an HdrHistogram in nanoseconds (3 significant digits, so 0.1 % resolution at
 * any magnitude): percentiles come from every sample, not from a sample of samples, and the
 * histogram travels between processes and into the JSON report as a compact base64 string that
 * HdrHistogram tools in any language can read back.
 */
export class LatencyRecorder {
  readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    // A minute; autoResize keeps a freak outlier from throwing instead of being counted.
    highestTrackableValue: 60_000_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });

  /** Records one latency given in milliseconds (as `performance.now()` differences are). */
  recordMs(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1e6)));
  }

  encode(): string {
    return encodeIntoCompressedBase64(this.histogram);
  }
}

/** Percentiles of a run, in microseconds. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  count: number;
}

export function summarize(histogram: Histogram): LatencySummary {
  const us = (ns: number): number => ns / 1_000;
  return {
    p50: us(histogram.getValueAtPercentile(50)),
    p90: us(histogram.getValueAtPercentile(90)),
    p99: us(histogram.getValueAtPercentile(99)),
    p999: us(histogram.getValueAtPercentile(99.9)),
    max: us(histogram.maxValue),
    mean: us(histogram.mean),
    count: histogram.totalCount,
  };
}
