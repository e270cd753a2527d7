/**
 * `npm run bench -- --suite e2e`: what a user's action costs end to end in each topology — a post,
 * an `/echo` answered by a bot, a story reply delivered as a message — driven through the gateway
 * over HTTP and WebSocket at a fixed offered rate (open loop), or stepped up until the system no
 * longer keeps up (`--sweep`). Real processes from the build, a private nats-server and fresh
 * Postgres databases per topology; numbers, not a test.
 */
import { connect } from 'nats';
import { cpuUsage } from 'node:process';
import { loadavg } from 'node:os';
import { relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { SocketFleet } from '../gateway/fleet';
import { readProcCpu } from '../process/process-cpu';
import {
  type BenchEnvironment,
  type BenchReport,
  type BenchRun,
  type BenchSweep,
} from '../report/bench-report';
import { benchEnvironment } from '../report/bench-environment';
import { writeBenchReport } from '../report/bench-report.writer';
import { openLoopBenchRun } from '../report/bench-run.mapper';
import { defaultJsonPath } from '../report/json.writer';
import { summarize } from '../runner/latency.recorder';
import { runOpenLoop } from '../runner/open-loop.runner';
import { runSweep, type StepFigures, stepFailure } from '../runner/rate.sweep';
import { E2E_USAGE, type E2eBenchOptions, parseE2eOptions } from './e2e.options';
import { printE2eReport, type RunExtras, runLine } from './e2e.printer';
import { RunProgress } from './e2e.progress';
import { type PreparedScenario, prepareScenario, socketsNeeded } from './e2e.scenarios';
import { type E2eSystem, missingBuilds, startE2eSystem } from './e2e.system';
import { FrameWaiter } from './frame.waiter';
import { GatewayClient } from './gateway.client';

/** Pause between runs: the last answers and the relays' batches settle before the next window. */
const SETTLE_MS = 1_000;
/** Send lag p99 above this means the generator, not the system, set part of the latency. */
const SEND_LAG_WARN_MS = 5;
/**
 * Below this many operations a window's edges (answers of warm-up operations landing inside it,
 * answers of its own last operations landing after it) are several percent of the count, and
 * the 95 % rule of a sweep judges noise.
 */
const SWEEP_MIN_OPERATIONS = 100;

interface StepOutcome extends StepFigures {
  run: BenchRun;
}

export async function runE2eSuite(argv: string[], workspaceRoot: string): Promise<void> {
  let options: E2eBenchOptions | undefined;
  let missing: string[];
  try {
    options = parseE2eOptions(argv);
    missing = options ? missingBuilds(workspaceRoot, options.topologies) : [];
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${E2E_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (!options) {
    console.log(E2E_USAGE);
    return;
  }
  if (missing.length > 0) {
    console.error(
      `Not built: ${missing.join(', ')}. \`npm run bench\` builds them; run directly, first: ` +
        'npx nx run-many -t build -p chat stories calls bots monolith gateway',
    );
    process.exitCode = 2;
    return;
  }

  const startedAt = new Date();
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  const jsonPath = options.out
    ? resolve(options.out)
    : defaultJsonPath(workspaceRoot, startedAt, 'e2e');
  const progress = new RunProgress();
  const runs: BenchRun[] = [];
  const sweeps: BenchSweep[] = [];
  const notes: string[] = [];
  const extras = new Map<string, RunExtras>();
  let environment: BenchEnvironment | undefined;
  let runCount = 0;
  /** Runs whose generator lagged, and sweep steps with too few operations: one note each kind. */
  const lagging: string[] = [];
  const fewOperations: string[] = [];

  for (const topology of options.topologies) {
    progress.note(`${topology}: starting its processes and the gateway…`);
    const system = await startE2eSystem(workspaceRoot, topology);
    const fleet = new SocketFleet(system.gatewayUrl.replace(/^http/, 'ws'));
    const api = new GatewayClient(system.gatewayUrl);
    const waiter = new FrameWaiter();
    fleet.onMessage(waiter.onFrame);
    try {
      environment ??= {
        ...(await describeEnvironment(system, workspaceRoot)),
        loadAverageAtStart: [one, five, fifteen],
      };
      const sockets = options.scenarios.reduce(
        (sum, name) => sum + socketsNeeded(name, options.conversations),
        0,
      );
      await fleet.growTo(sockets);
      const prepared: PreparedScenario[] = [];
      for (const name of options.scenarios) {
        prepared.push(
          await prepareScenario(name, {
            api,
            waiter,
            conversations: options.conversations,
            firstSocket: prepared.reduce(
              (sum, scenario) => sum + socketsNeeded(scenario.name, options.conversations),
              0,
            ),
          }),
        );
      }
      progress.note(
        `${topology}: ${fleet.size} sockets, ${options.conversations} conversations per scenario ready`,
      );

      for (const scenario of prepared) {
        const measure = async (rate: number, role: 'step' | 'half-knee'): Promise<StepOutcome> => {
          const id =
            `e2e/${scenario.name}/${topology}/${options.arrival}@${rate}` +
            (role === 'half-knee' ? '/half-knee' : '');
          const label = `${topology} ${scenario.name} ${options.arrival}@${rate}/s`;
          const pids = system.pids;
          let cpuAtStart: Record<string, number> = {};
          let cpuAtEnd: Record<string, number> = {};
          const result = await runOpenLoop(scenario.operation(`r${++runCount}`), {
            rate,
            arrival: options.arrival,
            seed: options.seed,
            warmupMs: options.warmupMs,
            durationMs: options.durationMs,
            drainTimeoutMs: options.drainMs,
            onWindowStart: () => (cpuAtStart = cpuTimes(pids)),
            onWindowEnd: () => (cpuAtEnd = cpuTimes(pids)),
            onProgress: progress.start(label, options.warmupMs + options.durationMs),
          });
          waiter.clear();
          const run = openLoopBenchRun(
            {
              id,
              scenario: scenario.name,
              topology,
              payloadBytes: scenario.payloadBytes,
              arrival: options.arrival,
              rate,
              warmupMs: options.warmupMs,
              durationMs: options.durationMs,
              cpuPerOpUs: perOperation(cpuAtStart, cpuAtEnd, result.completedInWindow),
            },
            result,
          );
          runs.push(run);
          const figures: StepFigures = {
            sentRate: result.sentRate,
            achievedRate: result.achievedRate,
            p99Ms: run.summary.p99 / 1_000,
          };
          const sendLagP99Ms = summarize(result.sendLag.histogram).p99 / 1_000;
          const failure = options.sweep ? stepFailure(figures, options.sweep) : undefined;
          extras.set(id, { sendLagP99Ms, failure });
          if (run.errors > 0) {
            notes.push(
              `${id}: ${run.errors} errors or lost; first: ${result.firstError ?? 'lost'}`,
            );
          }
          if (options.sweep && result.due < SWEEP_MIN_OPERATIONS) fewOperations.push(id);
          if (sendLagP99Ms > SEND_LAG_WARN_MS) lagging.push(id);
          progress.finish(runLine(run, extras.get(id) as RunExtras));
          await sleep(SETTLE_MS);
          return { ...figures, run };
        };

        if (options.sweep) {
          const outcome = await runSweep(measure, options.sweep);
          const ids = [...outcome.steps, ...(outcome.halfKnee ? [outcome.halfKnee] : [])]
            .sort((a, b) => a.rate - b.rate)
            .map((step) => step.result.run.id);
          sweeps.push({
            scenario: scenario.name,
            topology,
            runs: ids,
            kneeRate: outcome.kneeRate,
            stoppedBecause: outcome.stoppedBecause,
            atHalfKnee: outcome.halfKnee?.result.run.id,
          });
        } else {
          for (const rate of options.rates) await measure(rate, 'step');
        }
      }
    } finally {
      waiter.clear();
      await fleet.close();
      await api.close();
      await system.stop();
    }
  }

  const cores = environment?.cores ?? 1;
  if (one > cores / 2) {
    notes.unshift(
      `load average ${one.toFixed(2)} on ${cores} cores before the first run: the machine was busy`,
    );
  }
  if (lagging.length > 0) {
    const lagOf = (id: string): number => extras.get(id)?.sendLagP99Ms ?? 0;
    const worst = lagging.reduce((a, b) => (lagOf(b) > lagOf(a) ? b : a));
    notes.push(
      `send lag p99 above ${SEND_LAG_WARN_MS} ms in ${lagging.length} of ${runs.length} runs ` +
        `(worst ${lagOf(worst).toFixed(1)} ms, ${worst}): this process was starved, and part of ` +
        "those runs' latency is the generator's",
    );
  }
  if (fewOperations.length > 0) {
    notes.push(
      `fewer than ${SWEEP_MIN_OPERATIONS} operations in the window of ${fewOperations.join(', ')}: ` +
        "too few for the sweep's achieved/sent rule; use a longer --duration or a higher --sweep-start",
    );
  }
  const report: BenchReport = {
    format: 'switchboard-bench/1',
    suite: 'e2e',
    argv: ['--suite', 'e2e', ...argv],
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment: environment as BenchEnvironment,
    runs,
    sweeps,
    notes,
  };
  const written = await writeBenchReport(report, jsonPath);
  printE2eReport(report, options, extras);
  console.log(`\nFull result: ${written.map((path) => relative(process.cwd(), path)).join(', ')}`);
}

/** The versions of what ran: nats-server from its INFO, Postgres from `SELECT version()`. */
async function describeEnvironment(
  system: E2eSystem,
  workspaceRoot: string,
): Promise<BenchEnvironment> {
  const connection = await connect({ servers: system.env.nats.url, name: 'bench-e2e' });
  const natsServer = connection.info?.version ?? 'unknown';
  await connection.close();
  const database = Object.values(system.env.databases)[0];
  let postgresVersion: string | undefined;
  if (database) {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      postgresVersion = (await client.query<{ version: string }>('SELECT version()')).rows[0]
        ?.version;
    } finally {
      await client.end();
    }
  }
  return benchEnvironment({
    natsServer,
    postgresVersion,
    workspaceRoot,
    extraPackages: ['typeorm', 'pg', 'ws', 'undici', 'hdr-histogram-js'],
  });
}

/** CPU time so far (user + system, µs) of every process of the system and of this one. */
function cpuTimes(pids: Record<string, number>): Record<string, number> {
  const own = cpuUsage();
  const times: Record<string, number> = { bench: own.user + own.system };
  for (const [name, pid] of Object.entries(pids)) {
    const cpu = readProcCpu(pid);
    if (cpu) times[name] = cpu.userUs + cpu.systemUs;
  }
  return times;
}

/**
 * CPU µs per operation completed in the window, by process. Postgres is not among them: its
 * backends are shared by all the processes and not attributed here.
 */
function perOperation(
  start: Record<string, number>,
  end: Record<string, number>,
  operations: number,
): Record<string, number> | undefined {
  if (operations === 0) return undefined;
  const perOp: Record<string, number> = {};
  for (const [name, at] of Object.entries(end)) {
    const before = start[name];
    if (before !== undefined) perOp[name] = Math.round(((at - before) / operations) * 10) / 10;
  }
  return perOp;
}
