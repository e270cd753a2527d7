import { type ImplementationName } from '../implementations';
import { bytes } from '../payload';
import { type Aggregate } from './aggregate';

/** A ratio the platform must meet against the raw nats.js baseline, or one shown for context. */
export interface RatioCheck {
  label: string;
  value: number | undefined;
  /** Absent for ratios shown for information only. */
  target?: { op: '>=' | '<='; bound: number };
  verdict: 'PASS' | 'MISS' | 'n/a' | 'info';
}

/**
 * The platform's performance budget: its RPC path may cost at most 5 % of raw nats.js throughput
 * under load, 10 % with a single caller (where fixed per-call overhead shows most), and 15 % on the
 * single caller's p99 — at every body size measured, each compared with raw at the same size.
 */
export function ratioChecks(aggregates: Aggregate[]): RatioCheck[] {
  const sizes = [...new Set(aggregates.map((a) => a.load.payloadBytes))].sort((a, b) => a - b);
  return sizes.flatMap((size) =>
    checksAt(
      aggregates.filter((a) => a.load.payloadBytes === size),
      sizes.length > 1 ? ` ${bytes(size)}` : '',
    ),
  );
}

/** The checks over aggregates of one body size; `suffix` names the size when there are several. */
function checksAt(aggregates: Aggregate[], suffix: string): RatioCheck[] {
  const find = (implementation: ImplementationName, concurrency: number) =>
    aggregates.find(
      (a) =>
        a.implementation === implementation &&
        a.load.kind === 'closed' &&
        a.load.concurrency === concurrency,
    );
  const ratio = (
    top: ImplementationName,
    concurrency: number,
    metric: (a: Aggregate) => number,
    base: ImplementationName = 'raw',
  ): number | undefined => {
    const over = find(top, concurrency);
    const under = find(base, concurrency);
    return over && under ? metric(over) / metric(under) : undefined;
  };
  const check = (
    label: string,
    value: number | undefined,
    op: '>=' | '<=',
    bound: number,
  ): RatioCheck => ({
    label,
    value,
    target: { op, bound },
    verdict:
      value === undefined
        ? 'n/a'
        : (op === '>=' ? value >= bound : value <= bound)
          ? 'PASS'
          : 'MISS',
  });
  const info = (label: string, value: number | undefined): RatioCheck => ({
    label,
    value,
    verdict: value === undefined ? 'n/a' : 'info',
  });
  const throughput = (a: Aggregate) => a.throughput;
  const p99 = (a: Aggregate) => a.latencyUs.p99;

  const checks = [
    check(`platform/raw throughput c=64${suffix}`, ratio('platform', 64, throughput), '>=', 0.95),
    check(`platform/raw throughput c=1${suffix}`, ratio('platform', 1, throughput), '>=', 0.9),
    check(`platform/raw p99 c=1${suffix}`, ratio('platform', 1, p99), '<=', 1.15),
    check(
      `platform-traced/platform throughput c=64${suffix}`,
      ratio('platform-traced', 64, throughput, 'platform'),
      '>=',
      0.9,
    ),
    info(
      `platform-traced/platform throughput c=1${suffix}`,
      ratio('platform-traced', 1, throughput, 'platform'),
    ),
    info(`nest/raw throughput c=64${suffix}`, ratio('nest', 64, throughput)),
    info(`nest/raw throughput c=1${suffix}`, ratio('nest', 1, throughput)),
    info(`nest/raw p99 c=1${suffix}`, ratio('nest', 1, p99)),
  ];

  // Open loop: the same rate for everyone, so only the latency ratio means anything.
  for (const platform of aggregates.filter(
    (a) => a.implementation === 'platform' && a.load.kind === 'open',
  )) {
    const raw = aggregates.find(
      (a) =>
        a.implementation === 'raw' &&
        a.load.kind === 'open' &&
        a.load.rate === (platform.load as { rate: number }).rate,
    );
    const rate = (platform.load as { rate: number }).rate;
    checks.push(
      info(
        `platform/raw p99 at ${rate}/s${suffix}`,
        raw ? platform.latencyUs.p99 / raw.latencyUs.p99 : undefined,
      ),
    );
  }
  return checks;
}
