import { type BenchReport, type BenchRun } from '../report/bench-report';
import { type E2eBenchOptions } from './e2e.options';

/** What a finished run leaves for the table besides its `BenchRun`. */
export interface RunExtras {
  sendLagP99Ms: number;
  /** Why a sweep step was not sustained. */
  failure?: string;
}

const ms = (us: number): string => (us / 1_000).toFixed(1);
const rate = (value: number): string => (Math.round(value * 10) / 10).toLocaleString('en-US');

/** The line printed (on stderr) as each run ends. */
export function runLine(run: BenchRun, extras: RunExtras): string {
  const { summary } = run;
  return (
    `${run.topology ?? ''} ${run.scenario} ${run.arrival}@${rate(run.offered)}/s: ` +
    `achieved ${rate(run.achievedRate)}/s, p50 ${ms(summary.p50)} ms, p99 ${ms(summary.p99)} ms, ` +
    `max ${ms(summary.max)} ms, ${run.errors} errors, send lag p99 ${extras.sendLagP99Ms.toFixed(2)} ms` +
    (extras.failure ? ` — not sustained: ${extras.failure}` : '')
  );
}

const COLUMNS = [
  ['topology', 9],
  ['scenario', 12],
  ['offered/s', 10],
  ['sent/s', 10],
  ['achieved/s', 11],
  ['p50 ms', 8],
  ['p90 ms', 8],
  ['p99 ms', 8],
  ['p99.9 ms', 9],
  ['max ms', 8],
  ['count', 7],
  ['errors', 7],
  ['lag p99 ms', 11],
  ['CPU µs/op (process: µs)', 0],
] as const;

function row(cells: string[]): string {
  return cells
    .map((cell, index) => {
      const [, width] = COLUMNS[index] ?? ['', 0];
      return index < 2 ? cell.padEnd(width) : cell.padStart(width);
    })
    .join('  ')
    .trimEnd();
}

/** The table of every run, the sweeps' knees and the notes, on stdout. */
export function printE2eReport(
  report: BenchReport,
  options: E2eBenchOptions,
  extras: Map<string, RunExtras>,
): void {
  const env = report.environment;
  console.log(
    `\nEnd to end through the gateway: ${options.arrival} arrivals, ` +
      `${options.warmupMs / 1_000} s warm-up + ${options.durationMs / 1_000} s window per run, ` +
      `${options.conversations} conversations per scenario; latency from each operation's scheduled time`,
  );
  console.log(
    `${env.cores} × ${env.cpuModel}, node ${env.node}, nats-server ${env.natsServer}, ` +
      `${env.postgres ?? 'no Postgres'}, load ${env.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}, ` +
      `git ${env.gitSha.slice(0, 10)}${env.gitDirty ? ' (dirty)' : ''}\n`,
  );
  console.log(row(COLUMNS.map(([name]) => name)));
  for (const run of report.runs) {
    const s = run.summary;
    const cpu = Object.entries(run.cpuPerOpUs ?? {})
      .map(([name, us]) => `${name} ${us.toFixed(0)}`)
      .join(', ');
    console.log(
      row([
        run.topology ?? '',
        run.scenario + (run.id.endsWith('/half-knee') ? ' ½' : ''),
        rate(run.offered),
        rate(run.sentRate ?? Number.NaN),
        rate(run.achievedRate),
        ms(s.p50),
        ms(s.p90),
        ms(s.p99),
        ms(s.p999),
        ms(s.max),
        String(s.count),
        String(run.errors),
        (extras.get(run.id)?.sendLagP99Ms ?? Number.NaN).toFixed(2),
        cpu,
      ]),
    );
  }
  if (report.sweeps.length > 0 && options.sweep) {
    const sweep = options.sweep;
    console.log(
      `\nSweeps: ×${sweep.factor} from ${sweep.startRate}/s; sustained while achieved ≥ ` +
        `${(sweep.minRatio * 100).toFixed(0)} % of sent and p99 ≤ ${sweep.p99BoundMs} ms ` +
        '(½ = the extra run at half the knee)',
    );
    for (const result of report.sweeps) {
      const half = report.runs.find((run) => run.id === result.atHalfKnee);
      console.log(
        `  ${(result.topology ?? '').padEnd(9)} ${result.scenario.padEnd(12)} ` +
          (result.kneeRate === undefined
            ? 'no step sustained'
            : `knee ${rate(result.kneeRate)}/s`) +
          `; stopped ${result.stoppedBecause}` +
          (half
            ? `; at ${rate(half.offered)}/s: p50 ${ms(half.summary.p50)} ms, p99 ${ms(half.summary.p99)} ms`
            : ''),
      );
    }
  }
  if (report.notes.length > 0) {
    console.log('\nNotes:');
    for (const note of report.notes) console.log(`  ${note}`);
  }
}
