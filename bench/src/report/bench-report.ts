import { type LatencySummary } from '../runner/latency.recorder';

/**
 * The document a benchmark run leaves behind (`dist/bench/<suite>-<timestamp>.json`), from which
 * the Markdown and HTML reports are rendered. Every latency figure in it can be recomputed from the
 * histogram stored next to it: the summaries are a convenience, the histograms are the record.
 */
export interface BenchReport {
  /** Bumped when a field changes meaning; renderers refuse documents they do not know. */
  format: 'switchboard-bench/1';
  suite: string;
  /** The command line's own flags, as given, so a run can be repeated. */
  argv: string[];
  startedAt: string;
  finishedAt: string;
  environment: BenchEnvironment;
  runs: BenchRun[];
  /** Rate sweeps (`--sweep`): which runs form each, and where its knee is. */
  sweeps: BenchSweep[];
  /** Free-form lines printed under the tables: targets met or missed, warnings. */
  notes: string[];
}

/** What the numbers were measured on: enough to tell whether two reports are comparable. */
export interface BenchEnvironment {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  /** 1, 5 and 15-minute load averages before the first run. */
  loadAverageAtStart: [number, number, number];
  os: string;
  node: string;
  natsServer: string;
  /** `PostgreSQL 15.x`, or undefined when the suite used none. */
  postgres?: string;
  gitSha: string;
  /** Uncommitted changes in the working tree: the sha alone does not describe the code measured. */
  gitDirty: boolean;
  packages: Record<string, string>;
}

/** One measured window at one offered load. */
export interface BenchRun {
  /** Stable key within the report, e.g. `e2e/echo/monolith/poisson@200`. */
  id: string;
  /** What was measured: `post`, `echo`, `story-reply`, `rpc`, `events`. */
  scenario: string;
  /** `services`, `monolith`, `mixed`, …; undefined for suites that do not run a topology. */
  topology?: string;
  /** The implementation compared (`raw`, `platform`), when the suite compares several. */
  implementation?: string;
  payloadBytes?: number;
  /** `closed` loops wait for each answer; `constant` and `poisson` arrivals do not (open loop). */
  arrival: 'closed' | 'constant' | 'poisson';
  /** Offered operations per second (open loop), or concurrency for a closed loop. */
  offered: number;
  /** Completed operations per second over the measured window. */
  achievedRate: number;
  /**
   * Open loop: operations the generator actually sent inside the measured window, per second —
   * below the schedule when it fell behind. A sweep's stop rule compares `achievedRate` with it.
   */
  sentRate?: number;
  warmupMs: number;
  durationMs: number;
  completed: number;
  errors: number;
  /**
   * Latency from the *intended* send time (open loop: coordinated omission corrected) to what the
   * user notices (the 201, the reply on the socket, …), in nanoseconds, as an HdrHistogram
   * (`encodeIntoCompressedBase64`).
   */
  histogram: string;
  /** Percentiles of `histogram`, in microseconds. */
  summary: LatencySummary;
  /** Open loop: actual send − intended send, the generator's own lag, same encoding. */
  sendLagHistogram?: string;
  /** CPU each process spent per operation, µs, by process name. */
  cpuPerOpUs?: Record<string, number>;
}

/** Offered load stepped up until it is no longer sustained. */
export interface BenchSweep {
  scenario: string;
  topology?: string;
  implementation?: string;
  /** `BenchRun.id`s, in increasing offered load. */
  runs: string[];
  /** The highest offered rate that was sustained; undefined if even the first step was not. */
  kneeRate?: number;
  /** Why the sweep stopped: the rate fell short, or p99 passed the bound. */
  stoppedBecause: string;
  /** The run at (about) half the knee: latency when the system is not saturated. */
  atHalfKnee?: string;
}
