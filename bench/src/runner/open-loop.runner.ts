import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Arrival, arrivalOffsets } from './arrival.schedule';
import { LatencyRecorder } from './latency.recorder';
import { PreciseTicker } from './precise.ticker';

/**
 * The generator's granularity: arrivals due less than this apart leave together, in one batch
 * at the tick. Each still counts from its own due time, so batching shows as send lag (at most
 * this much plus the event loop's delay), never as a shorter latency. Finer would cost a
 * wake-up (two thread hops) per arrival at high rates, on a CPU the system under test needs.
 */
export const TICK_MS = 0.25;

/**
 * One operation of the open loop: resolves when what the user waits for has happened, rejects
 * when it failed. It may resolve with the `performance.now()` time at which that happened when
 * it knows better than its promise's resolution does (a frame timed as it arrived, a simulated
 * server's exact completion).
 */
export type Operation = (index: number) => Promise<number | void>;

export interface OpenLoopProgress {
  phase: 'warm-up' | 'window' | 'drain';
  elapsedMs: number;
  /** Warm-up + window. */
  totalMs: number;
  sent: number;
  completed: number;
  errors: number;
  inFlight: number;
}

export interface OpenLoopOptions {
  /** Offered operations per second. */
  rate: number;
  /** The measured window. */
  durationMs: number;
  /** Arrivals before the window: sent like the others (the system reaches its steady state), not counted. */
  warmupMs?: number;
  /** Default `constant`. */
  arrival?: Arrival;
  /** Seed of the Poisson gaps; default 1. */
  seed?: number;
  /**
   * How long to wait for operations still running when the window closes; those not done by
   * then are `lost`. Default 30 s.
   */
  drainTimeoutMs?: number;
  /** Called at the window's start and end: where a suite reads the processes' CPU time. */
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
  onProgress?: (progress: OpenLoopProgress) => void;
  /** Default 250 ms. */
  progressIntervalMs?: number;
}

export interface OpenLoopResult {
  /** Operations due in the window (warm-up excluded): completed + errors + lost. */
  due: number;
  /** Operations due in the window that succeeded; each is in `latency`. */
  completed: number;
  /** Operations due in the window that failed. */
  errors: number;
  /** Operations due in the window still not done `drainTimeoutMs` after it closed. */
  lost: number;
  /** Successes of any operation (warm-up included) that happened inside the window. */
  completedInWindow: number;
  /** What the system sustained: `completedInWindow` per second of window. */
  achievedRate: number;
  /** What it was offered: `due` per second of window (random around `rate` for Poisson). */
  offeredRate: number;
  /**
   * What the generator actually sent inside the window, per second: below `offeredRate` when it
   * fell behind. Measured over the same window as `achievedRate`, so the generator's own delays
   * move both alike.
   */
  sentRate: number;
  /** Window start → the last success of an operation due in it. */
  lastCompletionMs: number;
  /** Due time → done (coordinated omission corrected): what a user arriving on schedule waits. */
  latency: LatencyRecorder;
  /** Actual send → done: what the same operations look like if the generator's delays are ignored. */
  uncorrected: LatencyRecorder;
  /** Actual send − due time: the generator's own lag, never the system's. */
  sendLag: LatencyRecorder;
  /** The first failure's message, warm-up included, to say what went wrong. */
  firstError?: string;
}

/**
 * Open loop (wrk2-style): operation i is due at its scheduled time (`constant`: start + i / rate,
 * `poisson`: exponential gaps) and its latency is measured from that due time, not from when it
 * was actually sent. A stall — of the system, or of this process, which shares the machine —
 * therefore shows up in every operation scheduled behind it: the coordinated-omission
 * correction. Operations are not capped in flight: above capacity the queue and the latencies
 * grow without bound, which is the honest answer at that rate.
 *
 * The schedule is driven by {@link PreciseTicker} (a worker thread sleeping with `Atomics.wait`)
 * at {@link TICK_MS} granularity; send lag and the uncorrected latency are recorded next to the
 * corrected one so the generator's share stays visible.
 */
export async function runOpenLoop(
  operation: Operation,
  options: OpenLoopOptions,
): Promise<OpenLoopResult> {
  const warmupMs = options.warmupMs ?? 0;
  const totalMs = warmupMs + options.durationMs;
  const nextOffset = arrivalOffsets(options.arrival ?? 'constant', options.rate, options.seed ?? 1);
  const latency = new LatencyRecorder();
  const uncorrected = new LatencyRecorder();
  const sendLag = new LatencyRecorder();
  let sent = 0;
  let due = 0;
  let completed = 0;
  let errors = 0;
  let warmupCompleted = 0;
  let completedInWindow = 0;
  let inFlight = 0;
  let inFlightMeasured = 0;
  let sentInWindow = 0;
  let lastCompletion = Number.NEGATIVE_INFINITY;
  let firstError: string | undefined;
  let closed = false;
  let onIdle: (() => void) | undefined;

  const ticker = await PreciseTicker.start();
  const start = performance.now();
  const windowStart = start + warmupMs;
  const windowEnd = start + totalMs;

  const settle = (measured: boolean): void => {
    inFlight--;
    if (measured) inFlightMeasured--;
    if (inFlight === 0) onIdle?.();
  };
  const send = (dueAt: number, measured: boolean): void => {
    const index = sent++;
    const sentAt = performance.now();
    if (sentAt >= windowStart && sentAt <= windowEnd) sentInWindow++;
    if (measured) {
      due++;
      inFlightMeasured++;
      sendLag.recordMs(sentAt - dueAt);
    }
    inFlight++;
    let work: Promise<number | void>;
    try {
      work = operation(index);
    } catch (error) {
      work = Promise.reject(error);
    }
    work.then(
      (at) => {
        if (closed) return;
        const doneAt = typeof at === 'number' ? at : performance.now();
        if (doneAt >= windowStart && doneAt <= windowEnd) completedInWindow++;
        if (measured) {
          completed++;
          latency.recordMs(doneAt - dueAt);
          uncorrected.recordMs(doneAt - sentAt);
          lastCompletion = Math.max(lastCompletion, doneAt);
        } else {
          warmupCompleted++;
        }
        settle(measured);
      },
      (error: unknown) => {
        if (closed) return;
        if (measured) errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
        settle(measured);
      },
    );
  };

  const progress = options.onProgress;
  const progressTimer = progress
    ? setInterval(() => {
        const elapsedMs = performance.now() - start;
        progress({
          phase: elapsedMs < warmupMs ? 'warm-up' : elapsedMs < totalMs ? 'window' : 'drain',
          elapsedMs: Math.min(elapsedMs, totalMs),
          totalMs,
          sent,
          completed: completed + warmupCompleted,
          errors,
          inFlight,
        });
      }, options.progressIntervalMs ?? 250)
    : undefined;
  progressTimer?.unref();

  try {
    let windowOpen = false;
    const openWindow = (): void => {
      windowOpen = true;
      options.onWindowStart?.();
    };
    let offset = nextOffset();
    for (;;) {
      const now = performance.now();
      if (!windowOpen && now >= windowStart) openWindow();
      // Everything due by now leaves in this batch, each timed from its own due time.
      while (offset < totalMs && start + offset <= now) {
        send(start + offset, offset >= warmupMs);
        offset = nextOffset();
      }
      if (offset >= totalMs) break;
      const wakeAt = windowOpen ? start + offset : Math.min(start + offset, windowStart);
      await ticker.until(Math.max(wakeAt, performance.now() + TICK_MS));
    }
    if (performance.now() < windowEnd) await ticker.until(windowEnd);
    if (!windowOpen) openWindow();
    options.onWindowEnd?.();

    if (inFlight > 0) {
      const abort = new AbortController();
      await Promise.race([
        new Promise<void>((resolve) => (onIdle = resolve)),
        sleep(options.drainTimeoutMs ?? 30_000, undefined, { signal: abort.signal }).catch(
          () => undefined,
        ),
      ]);
      abort.abort();
    }
  } finally {
    closed = true;
    if (progressTimer) clearInterval(progressTimer);
    await ticker.close();
  }

  const windowS = options.durationMs / 1_000;
  return {
    due,
    completed,
    errors,
    lost: inFlightMeasured,
    completedInWindow,
    achievedRate: completedInWindow / windowS,
    offeredRate: due / windowS,
    sentRate: sentInWindow / windowS,
    lastCompletionMs: Number.isFinite(lastCompletion) ? lastCompletion - windowStart : 0,
    latency,
    uncorrected,
    sendLag,
    firstError,
  };
}
