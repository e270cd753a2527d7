/**
 * What the Markdown and the HTML report both show, as strings: the environment, one table per
 * scenario, the sweeps. One source, so the two never disagree on a figure or its rounding.
 * Latency cells come from each run's `summary` — only after `assertRenderable` has checked it
 * against the run's histogram.
 */
import { type BenchReport, type BenchRun, type BenchSweep } from './bench-report';
import { decodeHistogram } from './verify-report';

/** `text`: left-aligned free text that may wrap; the other columns keep each cell on one line. */
export type Align = 'left' | 'right' | 'text';

export interface Table {
  header: string[];
  align: Align[];
  rows: string[][];
}

export interface ScenarioTable {
  scenario: string;
  table: Table;
}

/** The 1-minute load average above which the machine counts as busy (as the RPC suite warns). */
const BUSY_LOAD_PER_CORE = 0.25;

/** How to read the numbers: the same paragraph heads both reports. */
export const HOW_TO_READ =
  'Each run offers load either open loop — operations sent on a schedule (`constant` or `poisson` ' +
  'arrivals at the offered rate per second) whether or not earlier ones were answered — or closed ' +
  'loop (`c=N`: N operations in flight, the next sent when one returns). Open-loop latency counts ' +
  'from the intended send time, not the moment the operation actually left, so a stall in the ' +
  'system or in the load generator shows in every operation scheduled behind it; a closed loop ' +
  'sends nothing while it waits, so its tail looks better than users arriving at a steady rate ' +
  'would see. The load generator runs on the same machine as the system under test and shares its ' +
  'CPU, and there is no network between them: near saturation part of the latency is the ' +
  "generator's own (see send lag where shown), and a real network adds its round trip to every " +
  'figure. Percentiles come from HdrHistograms of every operation (3 significant digits); the ' +
  'summaries here were checked against those histograms before rendering. Compare topologies ' +
  'within one report: figures from different machines or runs are not comparable.';

/** Heads the sweeps' table in both reports. */
export const SWEEPS_INTRO =
  'Offered load stepped up until it was no longer sustained; the knee is the highest rate that ' +
  'was, and the latency at half of it is what the system gives when it is not saturated.';

/** The label of a run's line and row: topology and implementation, whichever the suite sets. */
export function seriesLabel(run: Pick<BenchRun, 'topology' | 'implementation'>): string {
  const parts = [run.topology, run.implementation].filter(
    (part): part is string => part !== undefined && part !== '',
  );
  return parts.length > 0 ? parts.join(' · ') : 'all';
}

/** `200/s poisson`, or `c=64` for a closed loop (where `offered` is the concurrency). */
export function describeOffered(run: Pick<BenchRun, 'arrival' | 'offered'>): string {
  return run.arrival === 'closed'
    ? `c=${run.offered}`
    : `${formatRate(run.offered)}/s ${run.arrival}`;
}

/** Operations per second: whole numbers from 100 up, one decimal below. */
export function formatRate(perSecond: number): string {
  if (Math.abs(perSecond) >= 100) return Math.round(perSecond).toLocaleString('en-US');
  return Number.isInteger(perSecond) ? String(perSecond) : perSecond.toFixed(1);
}

/** Microseconds shown as milliseconds to about 3 significant digits: 0.512, 7.34, 47.8, 1,234. */
export function formatMs(us: number): string {
  const ms = us / 1_000;
  if (ms >= 100) return Math.round(ms).toLocaleString('en-US');
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

function formatErrors(run: BenchRun): string {
  if (run.errors === 0) return '0';
  const total = run.completed + run.errors;
  const share = total > 0 ? ` (${((run.errors / total) * 100).toFixed(1)} %)` : '';
  return `${run.errors.toLocaleString('en-US')}${share}`;
}

/** Scenarios in the order the suite ran them. */
export function scenariosOf(report: BenchReport): string[] {
  return [...new Set(report.runs.map((run) => run.scenario))];
}

/**
 * A scenario's runs grouped by line (topology/implementation, in the order they first appear),
 * each group in increasing offered load; runs at the same load (rounds) keep the document's order.
 */
export function runsByLine(report: BenchReport, scenario: string): Map<string, BenchRun[]> {
  const lines = new Map<string, BenchRun[]>();
  for (const run of report.runs.filter((r) => r.scenario === scenario)) {
    const label = seriesLabel(run);
    lines.set(label, [...(lines.get(label) ?? []), run]);
  }
  for (const runs of lines.values()) runs.sort((a, b) => a.offered - b.offered);
  return lines;
}

/** p99 of the generator's own lag (actual − intended send), ms string, when the run recorded it. */
function sendLagP99(run: BenchRun): string {
  if (run.sendLagHistogram === undefined) return '–';
  return formatMs(decodeHistogram(run.sendLagHistogram).getValueAtPercentile(99) / 1_000);
}

/**
 * One table per scenario: a row per run, grouped by topology/implementation. Send lag appears
 * when any run has it (open loop); the run id when two rows would otherwise look the same (rounds).
 */
export function scenarioTables(report: BenchReport): ScenarioTable[] {
  return scenariosOf(report).map((scenario) => {
    const runs = [...runsByLine(report, scenario).values()].flat();
    const withLag = runs.some((run) => run.sendLagHistogram !== undefined);
    const keys = runs.map((run) => `${seriesLabel(run)}\u0000${run.arrival}\u0000${run.offered}`);
    const withId = new Set(keys).size < keys.length;
    const header = [
      'topology / implementation',
      'offered',
      'achieved /s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'p99.9 ms',
      'max ms',
      'errors',
      ...(withLag ? ['send lag p99 ms'] : []),
      ...(withId ? ['run'] : []),
    ];
    // The run id may wrap: it is long, and only there to tell rounds apart.
    const align: Align[] = header.map((_, i) =>
      withId && i === header.length - 1 ? 'text' : i < 2 ? 'left' : 'right',
    );
    const rows = runs.map((run) => [
      seriesLabel(run),
      describeOffered(run),
      formatRate(run.achievedRate),
      formatMs(run.summary.p50),
      formatMs(run.summary.p90),
      formatMs(run.summary.p99),
      formatMs(run.summary.p999),
      formatMs(run.summary.max),
      formatErrors(run),
      ...(withLag ? [sendLagP99(run)] : []),
      ...(withId ? [run.id] : []),
    ]);
    return { scenario, table: { header, align, rows } };
  });
}

/** The sweeps: where each line's knee is, and its latency at half that load. */
export function sweepTable(report: BenchReport): Table | undefined {
  if (report.sweeps.length === 0) return undefined;
  const byId = new Map(report.runs.map((run) => [run.id, run]));
  const header = [
    'scenario',
    'topology / implementation',
    'steps',
    'knee /s',
    'stopped because',
    'at half the knee',
    'achieved /s',
    'p50 ms',
    'p99 ms',
  ];
  const align: Align[] = [
    'left',
    'left',
    'left',
    'right',
    'text',
    'left',
    'right',
    'right',
    'right',
  ];
  const rows = report.sweeps.map((sweep) => {
    const half = sweep.atHalfKnee === undefined ? undefined : byId.get(sweep.atHalfKnee);
    return [
      sweep.scenario,
      seriesLabel(sweep),
      describeSteps(sweep, byId),
      sweep.kneeRate === undefined ? 'none' : formatRate(sweep.kneeRate),
      sweep.stoppedBecause,
      half === undefined ? '–' : describeOffered(half),
      half === undefined ? '–' : formatRate(half.achievedRate),
      half === undefined ? '–' : formatMs(half.summary.p50),
      half === undefined ? '–' : formatMs(half.summary.p99),
    ];
  });
  return { header, align, rows };
}

function describeSteps(sweep: BenchSweep, byId: Map<string, BenchRun>): string {
  const offered = sweep.runs
    .map((id) => byId.get(id)?.offered)
    .filter((value): value is number => value !== undefined);
  if (offered.length === 0) return '0';
  const first = offered[0] as number;
  const last = offered[offered.length - 1] as number;
  return `${offered.length}: ${formatRate(first)}–${formatRate(last)}/s`;
}

/** The environment as label/value pairs, plus a warning when the machine was busy at the start. */
export function environmentRows(report: BenchReport): [string, string][] {
  const env = report.environment;
  const [one, five, fifteen] = env.loadAverageAtStart;
  const busy =
    one > env.cores * BUSY_LOAD_PER_CORE
      ? ' — the machine was busy before the first run: expect noisy numbers'
      : '';
  return [
    ['suite', report.suite],
    ['command', commandLine(report)],
    ['run', `${formatInstant(report.startedAt)} → ${formatInstant(report.finishedAt)}`],
    ['code', `git ${env.gitSha}${env.gitDirty ? ' with uncommitted changes' : ''}`],
    ['machine', `${env.cores} × ${env.cpuModel}, ${env.memoryGiB} GiB, ${env.os}`],
    [
      'load average at start',
      `${one.toFixed(2)} · ${five.toFixed(2)} · ${fifteen.toFixed(2)} (1, 5, 15 min)${busy}`,
    ],
    ['node', env.node],
    ['nats-server', env.natsServer],
    ...(env.postgres === undefined ? [] : [['postgres', env.postgres] as [string, string]]),
    [
      'packages',
      Object.entries(env.packages)
        .map(([name, version]) => `${name} ${version}`)
        .join(', ') || '–',
    ],
  ];
}

/** How the suite was started, so a reader can repeat it. */
export function commandLine(report: BenchReport): string {
  const flags = report.argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg}'`));
  const suite = report.argv.some((arg) => arg === '--suite' || arg.startsWith('--suite='))
    ? []
    : ['--suite', report.suite];
  return ['npm run bench --', ...suite, ...flags].join(' ');
}

/** `2025-05-01 12:00:03 UTC`: a date a reader can compare across reports. */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The day of the run, for titles. */
export function runDate(report: BenchReport): string {
  return formatInstant(report.startedAt).slice(0, 10);
}

/** The first 12 characters of the sha: enough to find the commit, short enough for a title. */
export function shortSha(report: BenchReport): string {
  const sha = report.environment.gitSha.slice(0, 12);
  return report.environment.gitDirty ? `${sha} (dirty)` : sha;
}
