import { performance } from 'node:perf_hooks';
import { echoRequest } from '../echo.contract';
import { LatencyRecorder } from './latency.recorder';
import { type Call, type WindowResult } from './load.types';

export interface ClosedLoopOptions {
  /** Workers, each with exactly one request in flight. */
  concurrency: number;
  durationMs: number;
  /** Sequence numbers continue across windows so every request of a process is distinct. */
  nextSeq: () => number;
  /** Size of each request's JSON body. */
  payloadBytes: number;
}

/**
 * Closed loop: N workers, each sending its next request as soon as the previous reply arrives.
 * It answers "how many calls per second can N callers push through, and how long does each take
 * while they do" — the question the throughput targets ask — and it cannot overload the system,
 * so every implementation is compared at its own saturation point.
 *
 * Caveat (coordinated omission, see wrk2's README): a worker stuck on a slow reply sends nothing
 * meanwhile, so the requests that *would* have waited behind the stall are never sent and never
 * measured. Percentiles here are the latency of requests that were sent, and the tail is
 * optimistic compared with what users arriving at a fixed rate would see. The open-loop mode
 * (`--rate`) measures that instead.
 */
export async function runClosedLoop(call: Call, options: ClosedLoopOptions): Promise<WindowResult> {
  const latency = new LatencyRecorder();
  let completed = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + options.durationMs;
  let lastReply = start;

  const worker = async (): Promise<void> => {
    for (;;) {
      const sentAt = performance.now();
      if (sentAt >= end) return;
      const request = echoRequest(options.nextSeq(), options.payloadBytes);
      try {
        const reply = await call(request);
        const receivedAt = performance.now();
        lastReply = receivedAt;
        if (reply.seq === request.seq) {
          latency.recordMs(receivedAt - sentAt);
          completed++;
        } else {
          errors++;
        }
      } catch {
        errors++;
      }
    }
  };

  await Promise.all(Array.from({ length: options.concurrency }, worker));
  // The last requests were sent before `end` and are counted, so the window runs to their replies.
  return { completed, errors, elapsedMs: Math.max(lastReply, end) - start, latency };
}
