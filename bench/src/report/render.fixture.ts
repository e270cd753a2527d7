/**
 * A synthetic `BenchReport` with real HdrHistograms, for the renderers' tests and for looking at a
 * report without running a suite. Deterministic: the same document every time.
 *
 * - `post`: two topologies at one rate, two rounds each; the first round of each records known
 *   values, so its percentiles are known exactly (`KNOWN_POST`).
 * - `echo`: a rate sweep per topology up to and past its capacity, with send-lag histograms.
 */
import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { summarize } from '../runner/latency.recorder';
import { type BenchReport, type BenchRun, type BenchSweep } from './bench-report';

/** Latencies recorded in the first `post` round per topology: [ms, how many]. */
export const KNOWN_POST = {
  services: [
    [1, 500],
    [2, 400],
    [5, 90],
    [20, 9],
    [100, 1],
  ],
  monolith: [
    [0.5, 500],
    [0.8, 400],
    [3, 90],
    [12, 9],
    [40, 1],
  ],
} as const;

/** Seeded (mulberry32), so the fixture is the same document on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function histogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

/** Log-normal latencies around `medianMs`, with a rarer slow tail as the load nears capacity. */
function recordLatencies(
  h: Histogram,
  next: () => number,
  count: number,
  medianMs: number,
  load: number,
): void {
  const queueing = 1 / Math.max(0.03, 1 - Math.min(load, 0.97));
  for (let i = 0; i < count; i++) {
    const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const slow = next() < 0.002 ? 4 + 10 * next() : 1;
    const ms = medianMs * Math.exp(0.35 * normal) * (0.6 + 0.4 * queueing) * slow;
    h.recordValue(Math.max(1, Math.round(ms * 1e6)));
  }
}

function run(
  fields: Omit<BenchRun, 'histogram' | 'summary' | 'warmupMs' | 'durationMs' | 'completed'>,
  h: Histogram,
  sendLag?: Histogram,
): BenchRun {
  return {
    ...fields,
    warmupMs: 2_000,
    durationMs: 10_000,
    completed: h.totalCount,
    histogram: encodeIntoCompressedBase64(h),
    summary: summarize(h),
    ...(sendLag ? { sendLagHistogram: encodeIntoCompressedBase64(sendLag) } : {}),
  };
}

let built: BenchReport | undefined;

/** A fresh copy each call, so a test may edit it; recording the histograms happens once. */
export function syntheticReport(): BenchReport {
  built ??= buildReport();
  return structuredClone(built);
}

function buildReport(): BenchReport {
  const next = random(14);
  const runs: BenchRun[] = [];
  const sweeps: BenchSweep[] = [];

  for (const topology of ['services', 'monolith'] as const) {
    for (const round of [1, 2]) {
      const h = histogram();
      if (round === 1) {
        for (const [ms, count] of KNOWN_POST[topology]) h.recordValueWithCount(ms * 1e6, count);
      } else {
        recordLatencies(h, next, 1_000, topology === 'services' ? 1.2 : 0.6, 0.1);
      }
      runs.push(
        run(
          {
            id: `e2e/post/${topology}/constant@50#${round}`,
            scenario: 'post',
            topology,
            payloadBytes: 120,
            arrival: 'constant',
            offered: 50,
            achievedRate: 50,
            errors: topology === 'services' && round === 2 ? 3 : 0,
          },
          h,
        ),
      );
    }
  }

  const capacity = { services: 900, monolith: 2_500 };
  const medianMs = { services: 3, monolith: 1.2 };
  for (const topology of ['services', 'monolith'] as const) {
    const steps =
      topology === 'services' ? [100, 200, 400, 800, 1_600] : [100, 200, 400, 800, 1_600, 3_200];
    const ids: string[] = [];
    for (const offered of steps) {
      const load = offered / capacity[topology];
      const h = histogram();
      const lag = histogram();
      recordLatencies(h, next, 4_000, medianMs[topology], load);
      recordLatencies(lag, next, 4_000, 0.08, load);
      const id = `e2e/echo/${topology}/poisson@${offered}`;
      ids.push(id);
      runs.push(
        run(
          {
            id,
            scenario: 'echo',
            topology,
            implementation: 'platform',
            payloadBytes: 130,
            arrival: 'poisson',
            offered,
            achievedRate: Math.min(offered, capacity[topology]) * (0.995 + 0.004 * next()),
            errors: 0,
            cpuPerOpUs: { gateway: 60, [topology]: 420 },
          },
          h,
          lag,
        ),
      );
    }
    const knee = steps.filter((offered) => offered <= capacity[topology]).pop();
    sweeps.push({
      scenario: 'echo',
      topology,
      implementation: 'platform',
      runs: ids,
      kneeRate: knee,
      stoppedBecause: `achieved rate fell below 95 % of ${(knee ?? 0) * 2}/s`,
      atHalfKnee: `e2e/echo/${topology}/poisson@${(knee ?? 0) / 2}`,
    });
  }

  return {
    format: 'switchboard-bench/1',
    suite: 'e2e',
    argv: ['--suite', 'e2e', '--sweep', '--topology', 'services,monolith'],
    startedAt: '2025-05-01T12:00:03.120Z',
    finishedAt: '2025-05-01T12:14:40.500Z',
    environment: {
      cpuModel: 'AMD EPYC 7B13',
      cores: 2,
      memoryGiB: 23.5,
      loadAverageAtStart: [0.31, 0.42, 0.5],
      os: 'Linux 6.1.0 x64',
      node: 'v20.20.2',
      natsServer: '2.9.10',
      postgres: 'PostgreSQL 15.20',
      gitSha: '3f9c2e1a7b4d5c6e8f90a1b2c3d4e5f6a7b8c9d0',
      gitDirty: false,
      packages: { nats: '2.29.3', '@nestjs/core': '11.2.10' },
    },
    runs,
    sweeps,
    notes: [
      'services: p99 at 400/s within the 50 ms target — `PASS`',
      'The load generator shared the 2 cores with the system under test.',
    ],
  };
}
