/**
 * `npm run bench`: measures one inter-service RPC over NATS four ways on this machine, against one
 * private nats-server, and prints how the platform's RPC path compares with raw nats.js.
 * Numbers, not a test: a missed target is reported, not failed on.
 *
 * `npm run bench -- --suite events` runs the events suite instead (see `events/events.main.ts`),
 * `--suite gateway` the realtime edge's (see `gateway/gateway.main.ts`), `--suite topology` the
 * start-up time and idle memory of each topology (see `topology/topology.main.ts`), `--suite e2e`
 * a user's actions end to end through the gateway in each topology (see `e2e/e2e.main.ts`),
 * `--suite spans` what one span costs (see `spans/spans.main.ts`);
 * `--suite report --in <file.json>` renders a saved report (see `report/render.main.ts`).
 */
import { startNatsServer, type TestNatsServer } from '@switchboard/platform-testing';
import { OTLP_SINK_ENV, startOtlpSink } from './otlp-sink';
import { connect } from 'nats';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { type BenchOptions, parseBenchOptions, USAGE } from './cli.options';
import { type ImplementationName } from './implementations';
import { procCpuReader } from './process/process-cpu';
import { type LoadShape } from './process/protocol';
import { describeLoad, type RunResult, runOne } from './process/run-one';
import { aggregate } from './report/aggregate';
import { defaultJsonPath, writeJson } from './report/json.writer';
import { machineFacts } from './report/machine.facts';
import { printReport } from './report/report.printer';
import { ratioChecks } from './report/targets';
import { splitSuite } from './suite';

const WORKSPACE_ROOT = join(__dirname, '..', '..');

interface PlannedRun {
  implementation: ImplementationName;
  load: LoadShape;
  round: number;
}

/**
 * Every (implementation, load) pair once per round, the order rotated each round: whatever the
 * machine is doing in the background is spread over all implementations instead of landing on
 * whichever always runs at the same position.
 */
function plan(options: BenchOptions): PlannedRun[] {
  const loads: LoadShape[] = options.payloads.flatMap((payloadBytes): LoadShape[] =>
    options.rate !== undefined
      ? [{ kind: 'open', rate: options.rate, payloadBytes }]
      : options.concurrencies.map((concurrency) => ({ kind: 'closed', concurrency, payloadBytes })),
  );
  const pairs = options.implementations.flatMap((implementation) =>
    loads.map((load) => ({ implementation, load })),
  );
  const runs: PlannedRun[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const shift = (round - 1) % pairs.length;
    for (const pair of [...pairs.slice(shift), ...pairs.slice(0, shift)])
      runs.push({ ...pair, round });
  }
  return runs;
}

async function natsServerVersion(url: string): Promise<string> {
  const connection = await connect({ servers: url });
  const version = connection.info?.version ?? 'unknown';
  await connection.close();
  return version;
}

async function main(): Promise<void> {
  let suite: ReturnType<typeof splitSuite>;
  try {
    suite = splitSuite(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (suite.suite === 'events') {
    // Loaded only when asked for: the RPC suite never loads TypeORM or pg.
    const { runEventsSuite } = await import('./events/events.main');
    await runEventsSuite(suite.rest, WORKSPACE_ROOT);
    return;
  }
  if (suite.suite === 'gateway') {
    const { runGatewaySuite } = await import('./gateway/gateway.main');
    await runGatewaySuite(suite.rest, WORKSPACE_ROOT);
    return;
  }
  if (suite.suite === 'e2e') {
    const { runE2eSuite } = await import('./e2e/e2e.main');
    await runE2eSuite(suite.rest, WORKSPACE_ROOT);
    return;
  }
  if (suite.suite === 'topology') {
    const { runTopologySuite } = await import('./topology/topology.main');
    await runTopologySuite(suite.rest, WORKSPACE_ROOT);
    return;
  }
  if (suite.suite === 'spans') {
    const { runSpansSuite } = await import('./spans/spans.main');
    await runSpansSuite(suite.rest);
    return;
  }
  if (suite.suite === 'report') {
    // Renders a saved report (Markdown, HTML, optionally a PNG); measures nothing.
    const { runReportSuite } = await import('./report/render.main');
    await runReportSuite(suite.rest);
    return;
  }

  let options: BenchOptions | undefined;
  try {
    options = parseBenchOptions(suite.rest);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (!options) {
    console.log(USAGE);
    return;
  }

  const startedAt = new Date();
  const jsonPath = options.out ?? defaultJsonPath(WORKSPACE_ROOT, startedAt);
  const profileDir = options.profile
    ? join(dirname(jsonPath), `profiles-${startedAt.toISOString().replace(/[:.]/g, '-')}`)
    : undefined;
  // Core NATS only: RPC does not touch JetStream, and a store would add disk I/O to the server.
  const nats: TestNatsServer = await startNatsServer({ jetstream: false });
  // Traced processes export their spans here (forked children inherit the variable).
  const sink = options.implementations.includes('platform-traced')
    ? await startOtlpSink()
    : undefined;
  if (sink) process.env[OTLP_SINK_ENV] = sink.url;
  try {
    const machine = machineFacts(await natsServerVersion(nats.url));
    const natsCpu = procCpuReader(nats.pid);
    const runs = plan(options);
    const perRunS = (options.warmupMs + options.durationMs) / 1_000;
    console.log(
      `${runs.length} runs of ~${perRunS + 2} s each (~${Math.ceil((runs.length * (perRunS + 2)) / 60)} min) ` +
        `against nats-server ${machine.natsServer} on ${nats.url}`,
    );

    const results: RunResult[] = [];
    for (const [index, run] of runs.entries()) {
      const result = await runOne(
        {
          ...run,
          natsUrl: nats.url,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
          profileDir,
        },
        natsCpu,
      );
      results.push(result);
      console.log(
        `[${String(index + 1).padStart(String(runs.length).length)}/${runs.length}] round ${run.round} ` +
          `${run.implementation.padEnd(10)} ${describeLoad(run.load).padEnd(6)} ` +
          `${Math.round(result.throughput).toLocaleString('en-US').padStart(10)} req/s  ` +
          `p50 ${result.latencyUs.p50.toFixed(1)} µs  p99 ${result.latencyUs.p99.toFixed(1)} µs` +
          (result.errors > 0 ? `  ${result.errors} errors` : ''),
      );
    }

    if (profileDir) {
      console.log(
        `CPU profiles (open in Chrome DevTools or speedscope): ${relative(process.cwd(), profileDir)}\n` +
          'Profiling slows every process down: do not quote these numbers.',
      );
    }
    const aggregates = aggregate(results);
    const checks = ratioChecks(aggregates);
    await writeJson(jsonPath, {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options,
      machine,
      loadAverageAtEnd: loadavg()[0],
      aggregates,
      checks,
      runs: results,
    });
    printReport({
      machine,
      aggregates,
      checks,
      rounds: options.rounds,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      jsonPath: relative(process.cwd(), jsonPath),
    });
  } finally {
    await sink?.stop();
    await nats.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
