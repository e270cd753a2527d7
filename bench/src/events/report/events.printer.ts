import { POSTGRES_POOL_SIZE } from '@switchboard/platform-persistence';
import { type MachineFacts } from '../../report/machine.facts';
import { integer, table } from '../../report/report.printer';
import { MAX_ACK_PENDING } from '../bench-event.contract';
import { EVENTS_IMPLEMENTATIONS } from '../implementations';
import { type PostgresFacts } from '../postgres.probe';
import { type SqliteFacts } from '../sqlite.probe';
import { describeVariant } from '../process/run-one';
import { type EventsAggregate, type EventsRatio, totalCpu } from './aggregate';

export interface EventsReportInput {
  machine: MachineFacts;
  /** Absent when no run used Postgres. */
  postgres?: PostgresFacts;
  /** Present when a run used SQLite. */
  sqlite?: SqliteFacts;
  loadAverageAtEnd: number;
  aggregates: EventsAggregate[];
  ratios: EventsRatio[];
  rounds: number;
  events: number;
  warmupEvents: number;
  window: number;
  transactions: number;
  rate?: number;
  jsonPath: string;
}

/** The human-readable report: machine, method, one table, where the time went, the ratios. */
export function printEventsReport(
  input: EventsReportInput,
  write: (line: string) => void = console.log,
): void {
  const { machine, postgres, sqlite } = input;
  write('');
  write(
    `Machine:  node ${machine.node}, ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}`,
  );
  write(
    `          nats-server ${machine.natsServer} (JetStream, file store), nats.js ${machine.packages['nats']}, ` +
      `typeorm ${machine.packages['typeorm']}, pg ${machine.packages['pg']}`,
  );
  if (postgres) {
    write(
      `          Postgres ${postgres.version}: synchronous_commit=${postgres.synchronousCommit}, fsync=${postgres.fsync}, ` +
        `wal_sync_method=${postgres.walSyncMethod}, shared_buffers=${postgres.sharedBuffers}` +
        (postgres.local ? '' : ' (remote: its CPU is not counted)'),
    );
  }
  if (sqlite) {
    write(
      `          SQLite ${sqlite.version} (${sqlite.driver}), a file per service and run: journal_mode=${sqlite.journalMode}, ` +
        `synchronous=${sqlite.synchronous} (${sqlite.synchronousReopened} once a service reopens its file), ` +
        `busy timeout ${sqlite.busyTimeoutMs} ms; its CPU is the producer's and the consumer's`,
    );
  }
  const loads = input.aggregates.flatMap((a) => [a.loadAverageMin, a.loadAverageMax]);
  write(
    `          load average at start ${machine.loadAverageAtStart.toFixed(2)}, at end ${input.loadAverageAtEnd.toFixed(2)}, ` +
      `at the start of the runs ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`,
  );
  write(
    `Method:   per run an empty stream and a fresh producer and consumer process (the platform: and a fresh ` +
      `database for each); ${integer(input.warmupEvents)} events end to end as warm-up (dropped), then ` +
      `${integer(input.events)} measured; ${input.rounds} round(s), interleaved; figures are medians over rounds.`,
  );
  write(
    input.rate === undefined
      ? `          flat out: raw keeps ${input.window} publishes awaiting their PubAck; platform runs ${input.transactions} ` +
          `producer transactions at once. Pool ${POSTGRES_POOL_SIZE} per service, JetStreamTransport defaults (16 handlers, ${MAX_ACK_PENDING} unacked).`
      : `          fixed rate: ${integer(input.rate)} events/s, each publish / transaction started when due (open loop). ` +
          `Pool ${POSTGRES_POOL_SIZE} per service, JetStreamTransport defaults (16 handlers, ${MAX_ACK_PENDING} unacked).`,
  );
  if (machine.loadAverageAtStart > machine.cpuCount * 0.25) {
    write(
      `WARNING: the machine was busy before the first run (load average ${machine.loadAverageAtStart.toFixed(2)} ` +
        `on ${machine.cpuCount} cores): expect noisy numbers; rerun on a quiet machine before trusting a ratio.`,
    );
  }
  write('');

  const fixedRate = input.rate !== undefined;
  const header = [
    'path',
    'events/s',
    'events/s range',
    'written ev/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'p99.9 ms',
    'max ms',
    'redelivered',
    'CPU µs/event producer·consumer·nats·postgres',
    'CPU total',
    ...(fixedRate ? ['sched. lag p99 ms'] : []),
  ];
  const rows = input.aggregates.map((a) => [
    describeVariant(a),
    integer(a.throughput),
    `${integer(a.throughputMin)}–${integer(a.throughputMax)}`,
    integer(a.writeThroughput),
    millis(a.latencyUs.p50),
    millis(a.latencyUs.p90),
    millis(a.latencyUs.p99),
    millis(a.latencyUs.p999),
    millis(a.latencyUs.max),
    String(a.duplicates),
    [
      a.cpuPerEventUs.producer,
      a.cpuPerEventUs.consumer,
      a.cpuPerEventUs.natsServer,
      a.cpuPerEventUs.postgres,
    ]
      .map((v) => (v === undefined ? '–' : v.toFixed(0)))
      .join(' · '),
    totalCpu(a).toFixed(0),
    ...(fixedRate ? [a.scheduleLagP99Us === undefined ? '–' : millis(a.scheduleLagP99Us)] : []),
  ]);
  for (const line of table(header, rows, [0])) write(line);
  write('');
  write(
    'Latency: raw = publish → ack; platform = producer commit → effect committed (clock shared by the processes).',
  );
  write(
    fixedRate
      ? 'At a rate every path sustains, this is the hop itself; a large schedule lag means the producer process fell behind.'
      : 'Flat out, most of it is queueing behind earlier events: it says how far behind the consumer ran (--rate for the hop).',
  );
  write('');

  write('Where the time went (median ms from the first write):');
  const stageRows = input.aggregates.map((a) => [
    describeVariant(a),
    integer(a.stagesMs.written),
    a.stagesMs.relayed === undefined ? '–' : integer(a.stagesMs.relayed),
    integer(a.stagesMs.done),
  ]);
  for (const line of table(['path', 'all written', 'all relayed', 'all done'], stageRows, [0])) {
    write(`  ${line}`);
  }
  write('');

  write('Ratios, same run (platform ÷ raw: the price of the guarantees; traced ÷ untraced: of tracing):');
  for (const ratio of input.ratios) {
    const value = ratio.value === undefined ? '   –' : ratio.value.toFixed(3);
    const verdict =
      ratio.value === undefined ? 'n/a' : ratio.value >= (ratio.atLeast ?? 0) ? 'PASS' : 'MISS';
    const target =
      ratio.atLeast === undefined ? '' : `   target ≥ ${ratio.atLeast.toFixed(2)}  ${verdict}`;
    write(`  ${ratio.label.padEnd(54)} ${value.padStart(7)}${target}`);
  }
  write('');
  write('Implementations:');
  for (const name of new Set(input.aggregates.map((a) => a.implementation))) {
    write(`  ${name.padEnd(15)} ${EVENTS_IMPLEMENTATIONS[name].description}`);
  }
  write('');
  write(`Full result (every round, HdrHistograms as base64): ${input.jsonPath}`);
}

/** Microseconds shown as milliseconds, decimals only where they mean something. */
function millis(us: number): string {
  const ms = us / 1_000;
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return Math.round(ms).toLocaleString('en-US');
}
