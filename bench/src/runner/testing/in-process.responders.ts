import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Operation } from '../open-loop.runner';

/**
 * Answers at `at` (a `performance.now()` time): resolves once a timer has waited for it, with `at`
 * itself as the answer's time. A timer fires up to a millisecond off, and spinning until the
 * exact moment would hog a CPU the generator needs on a busy machine; either would be the
 * responder's error, while these checks are about the generator's.
 */
export async function answerAt(at: number): Promise<number> {
  await sleep(Math.max(0, at - performance.now()));
  return at;
}

/** Answers every call exactly `delayMs` after it was made, however many are in flight. */
export function fixedDelayResponder(delayMs: number): Operation {
  return () => answerAt(performance.now() + delayMs);
}

/**
 * Answers after `delayMs`, except that it stops answering during [stallStart, stallStart +
 * stallMs): whatever would be answered then waits for the stall's end. The generator is not
 * affected: it keeps sending on schedule (a server pausing, not the load generator).
 */
export function stallingResponder(
  delayMs: number,
  stall: () => { start: number; durationMs: number } | undefined,
): Operation {
  return () => {
    const window = stall();
    let at = performance.now() + delayMs;
    if (window && at >= window.start && at < window.start + window.durationMs) {
      at = window.start + window.durationMs;
    }
    return answerAt(at);
  };
}

/**
 * A server of capacity exactly 1 / serviceMs: one request at a time, each taking `serviceMs`,
 * the others queued in arrival order. Each call answers at its exact completion time, so the
 * capacity does not depend on timer precision.
 */
export function singleServer(serviceMs: number): Operation {
  let freeAt = 0;
  return () => {
    freeAt = Math.max(performance.now(), freeAt) + serviceMs;
    return answerAt(freeAt);
  };
}
