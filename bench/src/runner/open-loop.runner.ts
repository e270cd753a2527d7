import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { echoRequest } from '../echo.contract';
import { LatencyRecorder } from './latency.recorder';
import { type Call, type WindowResult } from './load.types';

export interface OpenLoopOptions {
  /** Requests per second, sent on a fixed schedule whatever the replies do. */
  rate: number;
  durationMs: number;
  nextSeq: () => number;
}

/**
 * Open loop (wrk2-style): request i is due at start + i / rate, and its latency is measured from
 * that due time, not from when it was actually sent. A stall therefore shows up in every request
 * scheduled behind it — the coordinated-omission correction — which is what a user arriving at a
 * steady rate experiences. Requests are not capped in flight: above the system's capacity the
 * queue and the latencies grow without bound, which is the honest answer at that rate.
 *
 * The schedule is driven by timers, whose granularity is about a millisecond; the send lag
 * (actual send - due time) is recorded separately so the generator's own slack is visible and
 * not mistaken for the transport's.
 */
export async function runOpenLoop(call: Call, options: OpenLoopOptions): Promise<WindowResult> {
  const latency = new LatencyRecorder();
  const sendLag = new LatencyRecorder();
  const intervalMs = 1_000 / options.rate;
  const total = Math.max(1, Math.floor((options.durationMs / 1_000) * options.rate));
  let completed = 0;
  let errors = 0;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  let lastReply = start;

  const send = (dueAt: number, sentAt: number): void => {
    sendLag.recordMs(sentAt - dueAt);
    const request = echoRequest(options.nextSeq());
    const work = call(request).then(
      (reply) => {
        const receivedAt = performance.now();
        lastReply = receivedAt;
        if (reply.seq === request.seq) {
          latency.recordMs(receivedAt - dueAt);
          completed++;
        } else {
          errors++;
        }
      },
      () => {
        errors++;
      },
    );
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  for (let i = 0; i < total;) {
    const now = performance.now();
    // Send everything that is due, then sleep until the next due time.
    while (i < total && start + i * intervalMs <= now) {
      send(start + i * intervalMs, now);
      i++;
    }
    if (i < total) await sleep(Math.max(0, start + i * intervalMs - performance.now()));
  }
  await Promise.all([...pending]);
  return { completed, errors, elapsedMs: lastReply - start, latency, sendLag };
}
