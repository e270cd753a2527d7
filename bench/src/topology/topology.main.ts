/**
 * `npm run bench -- --suite topology`: what a topology costs before any traffic — how long its
 * processes take from spawn to every `/health/ready` 200 (boot, migrations of fresh Postgres
 * databases, NATS, consumers), and how much memory they hold once idle. The domains' processes
 * only: the gateway is the same in every topology. Real processes from the build, a private
 * nats-server and fresh databases per round; numbers, not a test.
 */
import {
  createTestEnvironment,
  type ServiceProcess,
  spawnTopology,
  topologyProcesses,
  type TopologyProcess,
} from '@switchboard/platform-testing';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { list, positiveInteger } from '../flags';
import { defaultJsonPath, writeJson } from '../report/json.writer';

const DOMAINS = ['chat', 'stories', 'calls', 'bots'];
/** Idle time before memory is read: boot-time garbage collected, timers settled. */
const SETTLE_MS = 3_000;

export const TOPOLOGY_USAGE = `Usage: npm run bench -- --suite topology [--topologies services,monolith,mixed] [--rounds 3] [--out file.json]`;

interface RoundResult {
  /** Spawn of the first process → the last `/health/ready` 200, all started at once. */
  readyMs: number;
  /** Resident memory of each process after `SETTLE_MS` idle, MiB. */
  rssMiB: Record<string, number>;
}

function readTopology(workspaceRoot: string, name: string): TopologyProcess[] {
  if (!existsSync(join(workspaceRoot, 'topologies', `${name}.json`))) {
    throw new Error(`--topologies: no topologies/${name}.json`);
  }
  return topologyProcesses(workspaceRoot, name).filter((process) => process.host !== 'gateway');
}

/** VmRSS of a process, from /proc (Linux), in MiB. */
function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return Math.round((kib / 1024) * 10) / 10;
}

async function oneRound(workspaceRoot: string, processes: TopologyProcess[]): Promise<RoundResult> {
  const env = await createTestEnvironment(DOMAINS);
  const started: ServiceProcess[] = [];
  try {
    const begin = performance.now();
    started.push(
      ...(await spawnTopology({
        workspaceRoot,
        env,
        processes,
        readyTimeoutMs: 120_000,
        extra: () => ({ LOG_LEVEL: 'warn' }),
      })),
    );
    const readyMs = performance.now() - begin;
    await sleep(SETTLE_MS);
    return {
      readyMs: Math.round(readyMs),
      rssMiB: Object.fromEntries(started.map((process) => [process.name, rssMiB(process.pid)])),
    };
  } finally {
    await Promise.all(started.map((process) => process.stop()));
    await env.stop();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

export async function runTopologySuite(argv: string[], workspaceRoot: string): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      topologies: { type: 'string', default: 'services,monolith,mixed' },
      rounds: { type: 'string', default: '3' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(TOPOLOGY_USAGE);
    return;
  }
  const names = list(values.topologies);
  const rounds = positiveInteger('--rounds', values.rounds);
  const topologies = names.map((name) => ({ name, processes: readTopology(workspaceRoot, name) }));
  for (const { processes } of topologies) {
    for (const process of processes) {
      const entry = join(workspaceRoot, 'dist', 'services', process.host, 'main.js');
      if (!existsSync(entry))
        throw new Error(`${relative(workspaceRoot, entry)} is missing: build it`);
    }
  }
  const startedAt = new Date();
  const load = loadavg()[0] ?? 0;
  console.log(`Topology start-up and idle memory, ${rounds} round(s), load ${load.toFixed(2)}`);
  const results: Record<string, RoundResult[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 1; round <= rounds; round++) {
    // Rotated each round, so the machine's background is spread over every topology.
    const order = names.map((_, i) => names[(i + round - 1) % names.length] as string);
    for (const name of order) {
      const processes = topologies.find((t) => t.name === name)?.processes ?? [];
      const result = await oneRound(workspaceRoot, processes);
      results[name]?.push(result);
      const total = Object.values(result.rssMiB).reduce((a, b) => a + b, 0);
      console.log(
        `  round ${round} ${name.padEnd(9)} ready in ${result.readyMs} ms, ${total.toFixed(0)} MiB idle`,
      );
    }
  }
  const summary = names.map((name) => {
    const runs = results[name] ?? [];
    const processes = Object.keys(runs[0]?.rssMiB ?? {});
    return {
      topology: name,
      processes: processes.length,
      readyMsMedian: median(runs.map((run) => run.readyMs)),
      rssMiBMedian: median(runs.map((run) => Object.values(run.rssMiB).reduce((a, b) => a + b, 0))),
      perProcessMiB: Object.fromEntries(
        processes.map((process) => [process, median(runs.map((run) => run.rssMiB[process] ?? 0))]),
      ),
    };
  });
  console.log('');
  console.log('| topology | processes | ready (median) | idle RSS, all processes (median) |');
  console.log('| --- | --- | --- | --- |');
  for (const row of summary) {
    console.log(
      `| ${row.topology} | ${row.processes} | ${row.readyMsMedian} ms | ${row.rssMiBMedian.toFixed(0)} MiB |`,
    );
  }
  const path = values.out ?? defaultJsonPath(workspaceRoot, startedAt, 'topology');
  await writeJson(path, {
    suite: 'topology',
    startedAt,
    loadAverageAtStart: load,
    rounds,
    summary,
    results,
  });
  console.log(`\nJSON: ${relative(workspaceRoot, path)}`);
}
