/**
 * `npm run bench -- --suite gateway`: what the realtime edge costs on this machine — how long a
 * message posted over HTTP takes to reach the sockets of everyone in its conversation with 1,000
 * sockets connected (HTTP → chat → outbox → JetStream → gateway → each socket), and how many
 * sockets one gateway process holds. Real processes from the build, a private nats-server and a
 * fresh Postgres database; numbers, not a test.
 */
import { signDevToken } from '@switchboard/platform-auth';
import { ensureStreams } from '@switchboard/platform-messaging';
import {
  createTestEnvironment,
  freePort,
  spawnService,
  type ServiceProcess,
  TEST_JWT_SECRET,
} from '@switchboard/platform-testing';
import { connect } from 'nats';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcCpu } from '../process/process-cpu';
import { defaultJsonPath, writeJson } from '../report/json.writer';
import { machineFacts } from '../report/machine.facts';
import { LatencyRecorder, type LatencySummary, summarize } from '../runner/latency.recorder';
import { SocketFleet } from './fleet';
import { GATEWAY_USAGE, type GatewayBenchOptions, parseGatewayOptions } from './gateway.options';

/** How long deliveries may trail the last post before the missing ones are counted as lost. */
const DRAIN_TIMEOUT_MS = 20_000;
/** The capacity phase grows the fleet in this many steps. */
const CAPACITY_STEPS = 4;
/** `memoryMb` of infra/docker/service/Pulumi.gateway-staging.yaml: what a replica may use. */
const STACK_MEMORY_MIB = 512;

interface FanOutResult {
  sockets: number;
  group: number;
  conversations: number;
  rate: number;
  posts: number;
  /** Frames expected in the window (posts × group) and how many never arrived. */
  expectedFrames: number;
  missingFrames: number;
  /** Post scheduled → its frame on a member's socket, every member, coordinated-omission corrected. */
  frameLatencyUs: LatencySummary;
  frameHistogram: string;
  /** Post scheduled → its HTTP 201. */
  postLatencyUs: LatencySummary;
  postErrors: number;
  /** Gateway CPU per frame delivered in the window. */
  gatewayCpuUsPerFrame: number;
  connectMs: number;
}

interface CapacityStep {
  sockets: number;
  rssMiB: number;
  connectMs: number;
}

export async function runGatewaySuite(argv: string[], workspaceRoot: string): Promise<void> {
  let options: GatewayBenchOptions | undefined;
  try {
    options = parseGatewayOptions(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${GATEWAY_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (!options) {
    console.log(GATEWAY_USAGE);
    return;
  }
  const entries = {
    chat: join(workspaceRoot, 'dist', 'services', 'chat', 'main.js'),
    gateway: join(workspaceRoot, 'dist', 'services', 'gateway', 'main.js'),
  };
  const missing = Object.values(entries).filter((entry) => !existsSync(entry));
  if (missing.length > 0) {
    console.error(
      `Not built: ${missing.map((entry) => relative(process.cwd(), entry)).join(', ')}. ` +
        '`npm run bench` builds them; run directly, first: npx nx run-many -t build -p chat gateway',
    );
    process.exitCode = 2;
    return;
  }

  const startedAt = new Date();
  const jsonPath = options.out ?? defaultJsonPath(workspaceRoot, startedAt, 'gateway');
  const env = await createTestEnvironment(['chat']);
  const processes: ServiceProcess[] = [];
  let fleet: SocketFleet | undefined;
  try {
    const connection = await connect({ servers: env.nats.url, name: 'bench-orchestrator' });
    // The gateway reads every domain's stream; only chat runs here, so create the others.
    await ensureStreams(await connection.jetstreamManager());
    const machine = machineFacts(connection.info?.version ?? 'unknown', ['ws']);
    await connection.close();

    const chat = await spawnService({
      name: 'chat',
      entry: entries.chat,
      port: await freePort(),
      env: { ...env.envFor('chat'), HOST: '127.0.0.1' },
    });
    processes.push(chat);
    const gateway = await spawnService({
      name: 'gateway',
      entry: entries.gateway,
      port: await freePort(),
      env: env.envWithoutDatabase({
        HOST: '127.0.0.1',
        GATEWAY_UPSTREAMS: `chat=${chat.url}`,
        // Every socket and post comes from this one address: the per-address limit would refuse
        // the benchmark rather than measure the gateway.
        GATEWAY_RATE_LIMIT_PER_IP: '0',
        GATEWAY_RATE_LIMIT_PER_USER: '0',
      }),
    });
    processes.push(gateway);
    console.log(
      `gateway ${gateway.url} (pid ${gateway.pid}), chat ${chat.url}, nats-server ${machine.natsServer} ` +
        `on ${env.nats.url}; ${machine.cpuCount} × ${machine.cpuModel}, load ${machine.loadAverageAtStart.toFixed(2)}`,
    );

    const idleRssMiB = rssMiB(gateway.pid);
    fleet = new SocketFleet(gateway.url.replace(/^http/, 'ws'));
    const fanOut = await measureFanOut(options, gateway, fleet);
    printFanOut(fanOut, options);

    const capacity: CapacityStep[] = [{ sockets: 0, rssMiB: idleRssMiB, connectMs: 0 }];
    capacity.push({
      sockets: fleet.size,
      rssMiB: rssMiB(gateway.pid),
      connectMs: fanOut.connectMs,
    });
    if (options.holdSockets > fleet.size) {
      const step = Math.ceil((options.holdSockets - fleet.size) / CAPACITY_STEPS);
      while (fleet.size < options.holdSockets) {
        const target = Math.min(options.holdSockets, fleet.size + step);
        const connectMs = await fleet.growTo(target);
        await sleep(1_000);
        capacity.push({ sockets: fleet.size, rssMiB: rssMiB(gateway.pid), connectMs });
        console.log(
          `  held ${fleet.size.toLocaleString('en-US').padStart(6)} sockets  ` +
            `gateway RSS ${capacity.at(-1)?.rssMiB.toFixed(1)} MiB  ` +
            `(+${(target - (capacity.at(-2)?.sockets ?? 0)).toLocaleString('en-US')} in ${(connectMs / 1_000).toFixed(1)} s)`,
        );
      }
    }
    const held = capacity.at(-1) as CapacityStep;
    const kibPerSocket = held.sockets > 0 ? ((held.rssMiB - idleRssMiB) * 1_024) / held.sockets : 0;
    const dropped = fleet.dropped;
    printCapacity(capacity, kibPerSocket, dropped);

    await writeJson(jsonPath, {
      suite: 'gateway',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options,
      machine,
      loadAverageAtEnd: loadavg()[0] ?? 0,
      fanOut,
      capacity: { steps: capacity, kibPerSocket, droppedSockets: dropped },
    });
    console.log(`\nFull result: ${relative(process.cwd(), jsonPath)}`);
  } finally {
    await fleet?.close();
    for (const service of processes.reverse()) await service.stop();
    await env.stop();
  }
}

/**
 * Connects `sockets` users in groups of `group`, then posts at `rate` on a fixed schedule: post i
 * is due at start + i / rate and goes to group i mod groups from its creator. Each member's frame
 * of it is timed from that due time, so a stall anywhere counts against every post behind it.
 */
async function measureFanOut(
  options: GatewayBenchOptions,
  gateway: ServiceProcess,
  fleet: SocketFleet,
): Promise<FanOutResult> {
  const connectMs = await fleet.growTo(options.sockets);
  console.log(
    `connected ${fleet.size.toLocaleString('en-US')} sockets in ${(connectMs / 1_000).toFixed(1)} s`,
  );
  const groups = Math.floor(options.sockets / options.group);
  const api = `${gateway.url}/api/chat`;
  const creators: { token: string; conversationId: string }[] = [];
  for (let g = 0; g < groups; g++) {
    const first = g * options.group;
    const token = await signDevToken(SocketFleet.userId(first), TEST_JWT_SECRET);
    const memberIds = Array.from({ length: options.group - 1 }, (_, k) =>
      SocketFleet.userId(first + 1 + k),
    );
    const created = await postJson(api, '/conversations', token, {
      title: `bench ${g}`,
      memberIds,
    });
    creators.push({ token, conversationId: created.id });
  }

  const warmupPosts = Math.floor((options.warmupMs / 1_000) * options.rate);
  const total = warmupPosts + Math.max(1, Math.floor((options.durationMs / 1_000) * options.rate));
  const intervalMs = 1_000 / options.rate;
  const dueAt = new Float64Array(total);
  const delivered = new Uint32Array(total);
  const frames = new LatencyRecorder();
  const posts = new LatencyRecorder();
  let postErrors = 0;
  fleet.onMessage((text, receivedAt) => {
    if (!text.startsWith('bench:')) return;
    const seq = Number(text.slice('bench:'.length));
    delivered[seq]++;
    if (seq >= warmupPosts) frames.recordMs(receivedAt - (dueAt[seq] ?? receivedAt));
  });

  const pending: Promise<void>[] = [];
  let cpuAtWindow = readProcCpu(gateway.pid);
  const start = performance.now();
  for (let i = 0; i < total;) {
    const now = performance.now();
    while (i < total && start + i * intervalMs <= now) {
      const seq = i++;
      dueAt[seq] = start + seq * intervalMs;
      if (seq === warmupPosts) cpuAtWindow = readProcCpu(gateway.pid);
      const creator = creators[seq % groups] as (typeof creators)[number];
      const path = `/conversations/${creator.conversationId}/messages`;
      pending.push(
        postJson(api, path, creator.token, { text: `bench:${seq}` }).then(
          () => {
            if (seq >= warmupPosts) posts.recordMs(performance.now() - (dueAt[seq] as number));
          },
          () => {
            postErrors++;
          },
        ),
      );
    }
    if (i < total) await sleep(Math.max(0, start + i * intervalMs - performance.now()));
  }
  await Promise.all(pending);
  const drainUntil = performance.now() + DRAIN_TIMEOUT_MS;
  const measuredDelivered = (): number =>
    delivered.subarray(warmupPosts).reduce((sum, count) => sum + count, 0);
  const expectedFrames = (total - warmupPosts) * options.group;
  while (measuredDelivered() < expectedFrames && performance.now() < drainUntil) await sleep(50);
  const cpuAfter = readProcCpu(gateway.pid);
  const gatewayCpuUs =
    cpuAtWindow && cpuAfter
      ? cpuAfter.userUs + cpuAfter.systemUs - cpuAtWindow.userUs - cpuAtWindow.systemUs
      : Number.NaN;
  fleet.onMessage(() => undefined);
  return {
    sockets: fleet.size,
    group: options.group,
    conversations: groups,
    rate: options.rate,
    posts: total - warmupPosts,
    expectedFrames,
    missingFrames: expectedFrames - measuredDelivered(),
    frameLatencyUs: summarize(frames.histogram),
    frameHistogram: frames.encode(),
    postLatencyUs: summarize(posts.histogram),
    postErrors,
    gatewayCpuUsPerFrame: gatewayCpuUs / Math.max(1, measuredDelivered()),
    connectMs,
  };
}

async function postJson(
  api: string,
  path: string,
  token: string,
  body: unknown,
): Promise<{ id: string }> {
  const response = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST ${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as { id: string };
}

/** Resident memory of a process from Linux's `/proc/<pid>/status`; NaN where it cannot be read. */
function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1_024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

const ms = (us: number): string => (us / 1_000).toFixed(1).padStart(7);

function printFanOut(result: FanOutResult, options: GatewayBenchOptions): void {
  const frameRate = result.posts > 0 ? (result.expectedFrames / result.posts) * result.rate : 0;
  console.log(
    `\nFan-out: ${result.sockets.toLocaleString('en-US')} sockets, ${result.conversations} conversations of ` +
      `${result.group}, ${result.rate} posts/s → ${Math.round(frameRate).toLocaleString('en-US')} frames/s, ` +
      `${options.warmupMs / 1_000} s warm-up + ${options.durationMs / 1_000} s window\n`,
  );
  console.log(
    'latency (ms from the scheduled post)   p50      p90      p99    p99.9      max    count',
  );
  for (const [name, summary] of [
    ['HTTP post → 201', result.postLatencyUs],
    ['HTTP post → frame on each member', result.frameLatencyUs],
  ] as const) {
    console.log(
      `${name.padEnd(34)} ${ms(summary.p50)}  ${ms(summary.p90)}  ${ms(summary.p99)}  ` +
        `${ms(summary.p999)}  ${ms(summary.max)}  ${String(summary.count).padStart(7)}`,
    );
  }
  console.log(
    `\nframes missing after the window: ${result.missingFrames} of ${result.expectedFrames.toLocaleString('en-US')}; ` +
      `post errors: ${result.postErrors}; gateway CPU ${result.gatewayCpuUsPerFrame.toFixed(1)} µs per frame`,
  );
}

function printCapacity(steps: CapacityStep[], kibPerSocket: number, dropped: number): void {
  const held = steps.at(-1) as CapacityStep;
  console.log('\nSockets held by one gateway process');
  console.log('sockets    gateway RSS MiB');
  for (const step of steps) {
    console.log(
      `${step.sockets.toLocaleString('en-US').padStart(7)}    ${step.rssMiB.toFixed(1).padStart(8)}`,
    );
  }
  const idle = steps[0]?.rssMiB ?? 0;
  const fit = Math.floor(((STACK_MEMORY_MIB - idle) * 1_024) / Math.max(kibPerSocket, 0.001));
  console.log(
    `\n${held.sockets.toLocaleString('en-US')} sockets held (${dropped} dropped), ~${kibPerSocket.toFixed(1)} KiB ` +
      `of gateway memory each beyond its idle ${idle.toFixed(0)} MiB: ~${fit.toLocaleString('en-US')} idle ` +
      `sockets would fit the ${STACK_MEMORY_MIB} MiB the gateway's staging stack gives a replica`,
  );
}
