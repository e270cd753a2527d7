/**
 * `npm run bench -- --suite events`: moves the same events from one service to another two ways on
 * this machine — raw JetStream, and the platform's outbox → relay → JetStreamTransport path with
 * inbox and effect — against one private nats-server with JetStream and fresh Postgres databases,
 * and prints what the platform's guarantees cost. Numbers, not a test.
 */
import { startNatsServer, type TestNatsServer } from '@switchboard/platform-testing';
import { connect } from 'nats';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { OTLP_SINK_ENV, startOtlpSink } from '../otlp-sink';
import { procCpuReader } from '../process/process-cpu';
import { defaultJsonPath, writeJson } from '../report/json.writer';
import { machineFacts } from '../report/machine.facts';
import { EVENTS_USAGE, type EventsBenchOptions, parseEventsOptions } from './events.options';
import { EVENTS_IMPLEMENTATIONS } from './implementations';
import { PostgresProbe } from './postgres.probe';
import { sqliteFacts } from './sqlite.probe';
import {
  describeVariant,
  type EventsRunResult,
  type EventsVariant,
  runOneEvents,
} from './process/run-one';
import { aggregateEvents, eventsRatios } from './report/aggregate';
import { printEventsReport } from './report/events.printer';

interface PlannedRun extends EventsVariant {
  round: number;
}

/**
 * Every variant once per round, the order rotated each round: whatever the shared machine is doing
 * in the background is spread over all variants instead of landing on one.
 */
function plan(options: EventsBenchOptions): PlannedRun[] {
  const variants = options.payloads.flatMap((payloadBytes) =>
    options.implementations.flatMap((implementation): EventsVariant[] =>
      implementation === 'raw'
        ? [{ implementation, batch: 1, payloadBytes }]
        : options.databases.flatMap((db) =>
            options.batches.map((batch) => ({ implementation, batch, db, payloadBytes })),
          ),
    ),
  );
  const runs: PlannedRun[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const shift = (round - 1) % variants.length;
    for (const variant of [...variants.slice(shift), ...variants.slice(0, shift)])
      runs.push({ ...variant, round });
  }
  return runs;
}

export async function runEventsSuite(argv: string[], workspaceRoot: string): Promise<void> {
  let options: EventsBenchOptions | undefined;
  try {
    options = parseEventsOptions(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${EVENTS_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (!options) {
    console.log(EVENTS_USAGE);
    return;
  }

  const startedAt = new Date();
  const jsonPath = options.out ?? defaultJsonPath(workspaceRoot, startedAt, 'events');
  const profileDir = options.profile
    ? join(dirname(jsonPath), `profiles-${startedAt.toISOString().replace(/[:.]/g, '-')}`)
    : undefined;
  // JetStream on, its store in a temp dir the harness removes again.
  const platform = options.implementations.some(
    (implementation) => EVENTS_IMPLEMENTATIONS[implementation].needsDatabases,
  );
  const nats: TestNatsServer = await startNatsServer();
  // Traced processes export their spans here (forked children inherit the variable).
  const sink = options.implementations.includes('platform-traced')
    ? await startOtlpSink()
    : undefined;
  if (sink) process.env[OTLP_SINK_ENV] = sink.url;
  // Postgres is needed only for platform runs on it; a SQLite-only run works without a server.
  const postgres =
    platform && options.databases.includes('postgres') ? await PostgresProbe.connect() : undefined;
  const connection = await connect({ servers: nats.url, name: 'bench-orchestrator' });
  try {
    const machine = machineFacts(connection.info?.version ?? 'unknown', ['typeorm', 'pg']);
    const postgresFacts = await postgres?.facts();
    const sqlite = platform && options.databases.includes('sqlite') ? sqliteFacts() : undefined;
    const jsm = await connection.jetstreamManager();
    const natsServerCpu = procCpuReader(nats.pid);
    const runs = plan(options);
    console.log(
      `${runs.length} runs of ${options.warmupEvents.toLocaleString('en-US')} + ` +
        `${options.events.toLocaleString('en-US')} events against nats-server ${machine.natsServer} on ${nats.url}` +
        (postgresFacts ? `, Postgres ${postgresFacts.version}` : '') +
        (sqlite ? `, SQLite ${sqlite.version}` : '') +
        ` (load average ${machine.loadAverageAtStart.toFixed(2)})`,
    );

    const results: EventsRunResult[] = [];
    for (const [index, run] of runs.entries()) {
      const result = await runOneEvents(
        {
          ...run,
          natsUrl: nats.url,
          warmupEvents: options.warmupEvents,
          events: options.events,
          window: options.window,
          transactions: options.transactions,
          rate: options.rate,
          profileDir,
        },
        { jsm, natsServerCpu, postgres },
      );
      results.push(result);
      console.log(
        `[${String(index + 1).padStart(String(runs.length).length)}/${runs.length}] round ${run.round} ` +
          `${describeVariant(run).padEnd(22)} ` +
          `${Math.round(result.throughput).toLocaleString('en-US').padStart(8)} events/s  ` +
          `p50 ${(result.latencyUs.p50 / 1_000).toFixed(1)} ms  p99 ${(result.latencyUs.p99 / 1_000).toFixed(1)} ms  ` +
          `load ${result.loadAverage.toFixed(2)}` +
          (result.duplicates > 0 ? `  ${result.duplicates} redelivered` : ''),
      );
    }

    if (profileDir) {
      console.log(
        `CPU profiles (open in Chrome DevTools or speedscope): ${relative(process.cwd(), profileDir)}\n` +
          'Profiling slows every process down: do not quote these numbers.',
      );
    }
    const aggregates = aggregateEvents(results);
    const ratios = eventsRatios(aggregates, options.rate !== undefined);
    const loadAverageAtEnd = loadavg()[0] ?? 0;
    await writeJson(jsonPath, {
      suite: 'events',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options,
      machine,
      postgres: postgresFacts,
      sqlite,
      loadAverageAtEnd,
      aggregates,
      ratios,
      runs: results,
    });
    printEventsReport({
      machine,
      postgres: postgresFacts,
      sqlite,
      loadAverageAtEnd,
      aggregates,
      ratios,
      rounds: options.rounds,
      events: options.events,
      warmupEvents: options.warmupEvents,
      window: options.window,
      transactions: options.transactions,
      rate: options.rate,
      jsonPath: relative(process.cwd(), jsonPath),
    });
  } finally {
    await connection.close();
    await postgres?.close();
    await sink?.stop();
    await nats.stop();
  }
}
