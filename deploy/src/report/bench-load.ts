import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The part of a `switchboard-bench/1` report (bench/src/report/bench-report.ts) the load section reads. */
interface BenchReportFile {
  format: string;
  suite: string;
  finishedAt: string;
  environment: { gitSha: string; gitDirty: boolean; cores: number; cpuModel: string };
  runs: {
    id: string;
    offered: number;
    achievedRate: number;
    summary: { p99: number };
    cpuPerOpUs?: Record<string, number>;
  }[];
  sweeps: { scenario: string; topology?: string; kneeRate?: number; atHalfKnee?: string }[];
}

/** Where the load figures come from: one e2e benchmark report. */
export interface BenchSource {
  file: string;
  gitSha: string;
  /** The report measured a tree with uncommitted changes. */
  gitDirty: boolean;
  finishedAt: string;
  machine: string;
}

/** What the last benchmark measured of one process, per scenario that ran through it. */
export interface MeasuredLoad {
  scenario: string;
  topology: string;
  /** Highest offered rate the system sustained, operations/s. */
  kneeRate?: number;
  /** The run at about half the knee: its rate, p99 (ms) and this process's CPU per operation. */
  halfKneeRate?: number;
  p99AtHalfKneeMs?: number;
  cpuUsPerOp?: number;
}

/**
 * The newest e2e benchmark report: one this workspace ran (`dist/bench/e2e-*.json`), else the
 * newest committed with the project's figures (`docs/bench-results/e2e-*.json`), else none.
 */
export function newestBenchReport(workspaceRoot: string): string | undefined {
  for (const folder of [join('dist', 'bench'), join('docs', 'bench-results')]) {
    const path = join(workspaceRoot, folder);
    if (!existsSync(path)) continue;
    const newest = readdirSync(path)
      .filter((file) => /^e2e-.*\.json$/.test(file))
      .map((file) => join(path, file))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs || b.localeCompare(a))[0];
    if (newest !== undefined) return newest;
  }
  return undefined;
}

export function readBenchReport(file: string): { source: BenchSource; report: BenchReportFile } {
  let report: BenchReportFile;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as BenchReportFile;
  } catch {
    throw new Error(`${file}: not JSON`);
  }
  if (report?.format !== 'switchboard-bench/1' || !Array.isArray(report.sweeps)) {
    throw new Error(`${file}: not a switchboard-bench/1 report`);
  }
  const { environment } = report;
  return {
    report,
    source: {
      file,
      gitSha: environment.gitSha,
      gitDirty: environment.gitDirty,
      finishedAt: report.finishedAt,
      machine: `${environment.cores} × ${environment.cpuModel}`,
    },
  };
}

/**
 * The sweeps of `topology` in which `process` took part (its CPU was measured in the half-knee
 * run), with the knee, the p99 at half the knee and the process's own CPU per operation — the
 * last measured capacity of the system through it. The knee is the whole system's on the bench
 * machine, not this process's alone; its CPU per operation is what says how much of it is its own.
 */
export function measuredLoadOf(
  report: BenchReportFile,
  topology: string,
  process: string,
): MeasuredLoad[] {
  const runs = new Map(report.runs.map((run) => [run.id, run]));
  const found: MeasuredLoad[] = [];
  for (const sweep of report.sweeps) {
    if ((sweep.topology ?? topology) !== topology) continue;
    const half = sweep.atHalfKnee === undefined ? undefined : runs.get(sweep.atHalfKnee);
    const cpu = half?.cpuPerOpUs?.[process];
    if (cpu === undefined) continue;
    found.push({
      scenario: sweep.scenario,
      topology,
      ...(sweep.kneeRate === undefined ? {} : { kneeRate: sweep.kneeRate }),
      ...(half === undefined
        ? {}
        : {
            halfKneeRate: half.offered,
            p99AtHalfKneeMs: Math.round(half.summary.p99 / 10) / 100,
            cpuUsPerOp: Math.round(cpu),
          }),
    });
  }
  return found.sort((a, b) => (b.cpuUsPerOp ?? 0) - (a.cpuUsPerOp ?? 0));
}
