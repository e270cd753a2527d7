/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Pause between two checks, in milliseconds. Default 50. */
  intervalMs?: number;
  /**
   * What the timeout error says. A function is called only on timeout, so it can describe the
   * state at that moment (a log tail, the last response seen).
   */
  message?: string | (() => string);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `predicate` until it returns `true`, or rejects once `timeoutMs` has passed.
 *
 * A predicate that throws counts as "not yet" (a connection refused while a server boots is the
 * usual case); the last such error is attached as `cause` and quoted in the timeout message.
 *
 * @example
 * await waitFor(async () => (await fetch(url)).ok, { timeoutMs: 10_000, message: 'API not up' });
 */
export async function waitFor(
  predicate: () => Promise<boolean> | boolean,
  options: WaitForOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;

  for (;;) {
    const remaining = deadline - Date.now();
    try {
      // A predicate that hangs (a request with no timeout) must not hold us past the deadline.
      if (await withTimeout(Promise.resolve().then(predicate), Math.max(remaining, 0))) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const base =
        typeof options.message === 'function'
          ? options.message()
          : (options.message ?? 'Condition not met');
      const detail = lastError === undefined ? '' : `; last error: ${describeError(lastError)}`;
      throw new Error(`${base} (gave up after ${timeoutMs} ms${detail})`, { cause: lastError });
    }
    await sleep(Math.min(intervalMs, Math.max(deadline - Date.now(), 0)));
  }
}

const TIMED_OUT = Symbol('timed out');

async function withTimeout(work: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    const result = await Promise.race([work, timeout]);
    return result === TIMED_OUT ? false : result;
  } finally {
    clearTimeout(timer);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
