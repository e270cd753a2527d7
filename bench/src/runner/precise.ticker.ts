import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/**
 * The worker's side. `Atomics.wait` on a cell nobody notifies is a sleep with the kernel's timer
 * precision (tens of µs), where Node's timers keep whole milliseconds and fire up to 1 ms late
 * (or early). The worker only sleeps; the arrival that woke the main thread is sent there, so
 * the main thread's event loop (the replies) is never blocked. The due time travels as
 * `process.hrtime` milliseconds: one monotonic clock for both threads, whatever their
 * `performance.timeOrigin`.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const cell = new Int32Array(new SharedArrayBuffer(4));
parentPort.on('message', (at) => {
  const waitMs = at - Number(process.hrtime.bigint()) / 1e6;
  if (waitMs > 0) Atomics.wait(cell, 0, 0, waitMs);
  parentPort.postMessage(0);
});
`;

/**
 * Wakes the main thread at a given `performance.now()` time with ~0.1–0.3 ms lateness (a
 * `postMessage` each way on top of the worker's sleep), instead of the ~1 ms of `setTimeout`.
 * One wait at a time: the open loop asks for the next due time only after the previous one came.
 */
export class PreciseTicker {
  private wake: (() => void) | undefined;
  private failed: Error | undefined;
  /** `process.hrtime` ms − `performance.now()`: read together once, fixed for the process. */
  private readonly shiftMs = Number(process.hrtime.bigint()) / 1e6 - performance.now();

  private constructor(private readonly worker: Worker) {
    worker.on('message', () => {
      worker.unref();
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    });
    worker.on('error', (error: Error) => {
      this.failed = error;
      this.wake?.();
    });
    // Referenced only while a wait is pending: a forgotten close must not keep the process alive,
    // but a pending wait must (it may be all the event loop has left to do).
    worker.unref();
  }

  static async start(): Promise<PreciseTicker> {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    await once(worker, 'online');
    return new PreciseTicker(worker);
  }

  /** Resolves at `at` (a `performance.now()` time) or as soon after it as the event loop allows. */
  until(at: number): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.wake = () => (this.failed ? reject(this.failed) : resolve());
      this.worker.ref();
      this.worker.postMessage(at + this.shiftMs);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
