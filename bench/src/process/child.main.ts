/**
 * Entry point of one benchmark process: either the responder (answers calls) or the caller
 * (generates load and measures). Started by the orchestrator with an IPC channel; its config is
 * the JSON in argv[2].
 */
import 'reflect-metadata';
import { cpuUsage } from 'node:process';
import { echoRequest } from '../echo.contract';
import { IMPLEMENTATIONS } from '../implementations';
import { runClosedLoop } from '../runner/closed-loop.runner';
import { type Call, type WindowResult } from '../runner/load.types';
import { runOpenLoop } from '../runner/open-loop.runner';
import { collectGarbage, cpuSince, expectFromParent, runChild, sendToParent } from './child-ipc';
import {
  type CallerConfig,
  type ChildConfig,
  type ChildMessage,
  type ParentMessage,
  type ResponderConfig,
} from './protocol';

const send = (message: ChildMessage): Promise<void> => sendToParent(message);

async function expect<T extends ParentMessage['type']>(type: T): Promise<void> {
  await expectFromParent<ParentMessage, T>(type);
}

async function runResponder(config: ResponderConfig): Promise<void> {
  const implementation = await IMPLEMENTATIONS[config.implementation].load();
  if (!implementation.startResponder) throw new Error(`${config.implementation} has no responder`);
  const responder = await implementation.startResponder(config.natsUrl);
  await send({ type: 'ready' });
  await expect('measure-start');
  collectGarbage();
  const start = cpuUsage();
  await send({ type: 'measuring' });
  await expect('measure-stop');
  await send({ type: 'cpu', cpu: cpuSince(start) });
  await expect('stop');
  await responder.stop();
}

async function runCaller(config: CallerConfig): Promise<void> {
  const implementation = await IMPLEMENTATIONS[config.implementation].load();
  const caller = await implementation.startCaller(config.natsUrl);
  const call: Call = (request) => caller.call(request);
  let seq = 0;
  const nextSeq = (): number => seq++;
  // Each reply must echo its request's seq: a mismatch counts as an error, as in the closed loop.
  const echo = async (): Promise<void> => {
    const request = echoRequest(nextSeq(), config.load.payloadBytes);
    const reply = await call(request);
    if (reply.seq !== request.seq) throw new Error(`reply ${reply.seq} to request ${request.seq}`);
  };
  const openWindow = async (rate: number, durationMs: number): Promise<WindowResult> => {
    const result = await runOpenLoop(echo, { rate, durationMs });
    return {
      completed: result.completed,
      errors: result.errors + result.lost,
      elapsedMs: result.lastCompletionMs,
      latency: result.latency,
      sendLag: result.sendLag,
    };
  };
  const window = (durationMs: number): Promise<WindowResult> =>
    config.load.kind === 'closed'
      ? runClosedLoop(call, {
          concurrency: config.load.concurrency,
          durationMs,
          nextSeq,
          payloadBytes: config.load.payloadBytes,
        })
      : openWindow(config.load.rate, durationMs);

  await send({ type: 'ready' });
  await expect('warm-up');
  // Warm-up: lets V8 optimise the hot path and the connections settle; its numbers are dropped.
  if (config.warmupMs > 0) {
    const warm = await window(config.warmupMs);
    if (warm.completed === 0) {
      throw new Error(`no call succeeded during warm-up (${warm.errors} errors)`);
    }
  }
  collectGarbage();
  await send({ type: 'warmed' });

  await expect('measure');
  const start = cpuUsage();
  const measured = await window(config.durationMs);
  const cpu = cpuSince(start);
  await send({
    type: 'result',
    result: {
      completed: measured.completed,
      errors: measured.errors,
      elapsedMs: measured.elapsedMs,
      latencyHistogram: measured.latency.encode(),
      sendLagHistogram: measured.sendLag?.encode(),
      cpu,
    },
  });
  await expect('stop');
  await caller.stop();
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as ChildConfig;
  if (config.role === 'responder') await runResponder(config);
  else await runCaller(config);
}

runChild(main);
