import { IMPLEMENTATIONS } from '../implementations';
import { describeLoad } from '../process/run-one';
import { type Aggregate } from './aggregate';
import { type MachineFacts } from './machine.facts';
import { type RatioCheck } from './targets';

export interface ReportInput {
  machine: MachineFacts;
  aggregates: Aggregate[];
  checks: RatioCheck[];
  rounds: number;
  warmupMs: number;
  durationMs: number;
  jsonPath: string;
}

/** The human-readable report: machine, method, one table, the ratios the targets need. */
export function printReport(input: ReportInput, write: (line: string) => void = console.log): void {
  const { machine } = input;
  write('');
  write(
    `Machine: node ${machine.node}, ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}`,
  );
  write(
    `         nats-server ${machine.natsServer}, nats.js ${machine.packages['nats']}, ` +
      `@nestjs/microservices ${machine.packages['@nestjs/microservices']}, load average at start ${machine.loadAverageAtStart.toFixed(2)}`,
  );
  write(
    `Method:  per run a fresh responder and caller process; warm-up ${seconds(input.warmupMs)} (dropped), ` +
      `window ${seconds(input.durationMs)}; ${input.rounds} round(s), interleaved; figures are medians over rounds.`,
  );
  if (machine.loadAverageAtStart > machine.cpuCount * 0.25) {
    write(
      `WARNING: the machine was busy before the first run (load average ${machine.loadAverageAtStart.toFixed(2)} ` +
        `on ${machine.cpuCount} cores): expect noisy numbers; rerun on a quiet machine before trusting a ratio.`,
    );
  }
  write('');

  const openLoop = input.aggregates.some((a) => a.load.kind === 'open');
  const header = [
    'implementation',
    'load',
    'req/s',
    'req/s range',
    'p50 µs',
    'p90 µs',
    'p99 µs',
    'p99.9 µs',
    'max µs',
    'errors',
    'CPU µs/call caller·responder·nats',
    ...(openLoop ? ['send lag p50·p99 µs'] : []),
  ];
  const rows = input.aggregates.map((a) => [
    a.implementation,
    describeLoad(a.load),
    integer(a.throughput),
    `${integer(a.throughputMin)}–${integer(a.throughputMax)}`,
    micros(a.latencyUs.p50),
    micros(a.latencyUs.p90),
    micros(a.latencyUs.p99),
    micros(a.latencyUs.p999),
    micros(a.latencyUs.max),
    String(a.errors),
    [a.cpuPerCallUs.caller, a.cpuPerCallUs.responder, a.cpuPerCallUs.natsServer]
      .map((v) => (v === undefined ? '–' : v.toFixed(1)))
      .join(' · '),
    ...(openLoop
      ? [
          a.sendLagP50Us === undefined || a.sendLagP99Us === undefined
            ? '–'
            : `${micros(a.sendLagP50Us)} · ${micros(a.sendLagP99Us)}`,
        ]
      : []),
  ]);
  for (const line of table(header, rows, [0, 1])) write(line);
  write('');

  write('Targets (platform against raw nats.js, same run):');
  const labelWidth = Math.max(32, ...input.checks.map((check) => check.label.length));
  for (const check of input.checks) {
    const value = check.value === undefined ? '   –' : check.value.toFixed(3);
    const target = check.target ? `target ${check.target.op} ${check.target.bound.toFixed(2)}` : '';
    write(
      `  ${check.label.padEnd(labelWidth)} ${value.padStart(6)}   ${target.padEnd(16)} ${check.verdict}`,
    );
  }
  write('');
  write('Implementations:');
  for (const a of input.aggregates.filter(
    (x, i, all) => all.findIndex((y) => y.implementation === x.implementation) === i,
  )) {
    write(`  ${a.implementation.padEnd(11)} ${IMPLEMENTATIONS[a.implementation].description}`);
  }
  write('');
  write(`Full result (every round, HdrHistograms as base64): ${input.jsonPath}`);
}

/** Columns padded to their widest cell; the `leftAligned` ones left, the rest right. */
export function table(header: string[], rows: string[][], leftAligned: number[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) =>
        leftAligned.includes(i) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join('  ');
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format)];
}

export function integer(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Microseconds: decimals only where they mean something (the in-process baseline is sub-µs). */
function micros(value: number): string {
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

function seconds(ms: number): string {
  return `${ms / 1_000} s`;
}
