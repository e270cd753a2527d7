import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { bytes, DEFAULT_PAYLOAD_BYTES } from '../payload';
import { IMPLEMENTATIONS, type ImplementationName } from '../implementations';
import { type LatencySummary, summarize } from '../runner/latency.recorder';
import { BenchProcess } from './bench-process';
import { type CpuTime, type LoadShape } from './protocol';
import { type ProcessCpuReader } from './process-cpu';

const START_TIMEOUT_MS = 60_000;
/** Beyond the window itself: the last replies, plus slack for a slow machine. */
const WINDOW_SLACK_MS = 30_000;

export interface RunSpec {
  implementation: ImplementationName;
  load: LoadShape;
  natsUrl: string;
  warmupMs: number;
  durationMs: number;
  round: number;
  /** When set, each process writes a V8 CPU profile into this directory as it exits. */
  profileDir?: string;
}

export interface RunResult {
  implementation: ImplementationName;
  load: LoadShape;
  round: number;
  completed: number;
  errors: number;
  elapsedMs: number;
  throughput: number;
  latencyUs: LatencySummary;
  /** Open loop only: the generator's lateness against its schedule. */
  sendLagUs?: LatencySummary;
  /** CPU time per completed call, microseconds, for each process on the path. */
  cpuPerCallUs: { caller: number; responder?: number; natsServer?: number };
  latencyHistogram: string;
}

/**
 * One measurement: a fresh responder and a fresh caller, warm-up, a garbage collection on both
 * sides, the measured window, then both processes stopped before the next run begins.
 */
export async function runOne(spec: RunSpec, natsServerCpu: ProcessCpuReader): Promise<RunResult> {
  const label = `${spec.implementation} ${describeLoad(spec.load)} round ${spec.round}`;
  const profile = (role: string): string[] =>
    spec.profileDir === undefined
      ? []
      : [
          '--cpu-prof',
          `--cpu-prof-dir=${spec.profileDir}`,
          `--cpu-prof-name=${label.replace(/[^a-z0-9]+/gi, '-')}-${role}.cpuprofile`,
        ];
  const responder = IMPLEMENTATIONS[spec.implementation].overNats
    ? new BenchProcess(
        `${label} responder`,
        { role: 'responder', implementation: spec.implementation, natsUrl: spec.natsUrl },
        profile('responder'),
      )
    : undefined;
  let caller: BenchProcess | undefined;
  try {
    // The responder subscribes before the caller exists, so no call meets "no responders".
    await responder?.expect('ready', START_TIMEOUT_MS);
    caller = new BenchProcess(
      `${label} caller`,
      {
        role: 'caller',
        implementation: spec.implementation,
        natsUrl: spec.natsUrl,
        load: spec.load,
        warmupMs: spec.warmupMs,
        durationMs: spec.durationMs,
      },
      profile('caller'),
    );
    await caller.expect('ready', START_TIMEOUT_MS);
    caller.send({ type: 'warm-up' });
    await caller.expect('warmed', spec.warmupMs + WINDOW_SLACK_MS);

    responder?.send({ type: 'measure-start' });
    await responder?.expect('measuring', START_TIMEOUT_MS);
    const natsBefore = natsServerCpu();
    caller.send({ type: 'measure' });
    const { result } = await caller.expect('result', spec.durationMs + WINDOW_SLACK_MS);
    const natsAfter = natsServerCpu();
    responder?.send({ type: 'measure-stop' });
    const responderCpu = (await responder?.expect('cpu', START_TIMEOUT_MS))?.cpu;

    const perCall = (cpu: CpuTime | undefined): number | undefined =>
      cpu === undefined || result.completed === 0
        ? undefined
        : (cpu.userUs + cpu.systemUs) / result.completed;
    const natsCpu =
      natsBefore !== undefined && natsAfter !== undefined
        ? {
            userUs: natsAfter.userUs - natsBefore.userUs,
            systemUs: natsAfter.systemUs - natsBefore.systemUs,
          }
        : undefined;

    return {
      implementation: spec.implementation,
      load: spec.load,
      round: spec.round,
      completed: result.completed,
      errors: result.errors,
      elapsedMs: result.elapsedMs,
      throughput: result.completed / (result.elapsedMs / 1_000),
      latencyUs: summarize(decodeFromCompressedBase64(result.latencyHistogram)),
      sendLagUs:
        result.sendLagHistogram === undefined
          ? undefined
          : summarize(decodeFromCompressedBase64(result.sendLagHistogram)),
      cpuPerCallUs: {
        caller: perCall(result.cpu) ?? 0,
        responder: perCall(responderCpu),
        natsServer: responder ? perCall(natsCpu) : undefined,
      },
      latencyHistogram: result.latencyHistogram,
    };
  } catch (error) {
    await Promise.all([caller?.kill(), responder?.kill()]);
    throw error;
  } finally {
    await Promise.all([caller?.stop(), responder?.stop()]);
  }
}

export function describeLoad(load: LoadShape): string {
  const shape = load.kind === 'closed' ? `c=${load.concurrency}` : `rate=${load.rate}/s`;
  return load.payloadBytes === DEFAULT_PAYLOAD_BYTES
    ? shape
    : `${shape} ${bytes(load.payloadBytes)}`;
}
