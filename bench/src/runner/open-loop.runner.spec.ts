import { performance } from 'node:perf_hooks';
import { summarize } from './latency.recorder';
import { type OpenLoopResult, type Operation, runOpenLoop } from './open-loop.runner';
import { answerAt, fixedDelayResponder, stallingResponder } from './testing/in-process.responders';

/** Percentiles of one of a result's histograms, in µs. */
const summary = (result: OpenLoopResult, which: 'latency' | 'uncorrected' | 'sendLag') =>
  summarize(result[which].histogram);
/** µs → ms */
const p = (us: number): number => us / 1_000;

/** Blocks this thread, timers and the generator included: a GC pause, a starved CPU. */
function freeze(durationMs: number): void {
  const until = performance.now() + durationMs;
  while (performance.now() < until) {
    // spinning on purpose
  }
}

describe('runOpenLoop', () => {
  it('measures a responder of known delay: p50 within ±5 % of its 50 ms, none below it', async () => {
    // 50 ms rather than less: the ±5 % (2.5 ms) must also hold the generator's own send lag when
    // CI runs this beside other suites on two cores.
    const result = await runOpenLoop(fixedDelayResponder(50), {
      rate: 50,
      warmupMs: 300,
      durationMs: 2_000,
    });

    expect(result).toMatchObject({ due: 100, completed: 100, errors: 0, lost: 0 });
    const latency = summary(result, 'latency');
    expect(p(latency.p50)).toBeGreaterThanOrEqual(47.5);
    expect(p(latency.p50)).toBeLessThanOrEqual(52.5);
    // HdrHistogram keeps 3 significant digits: 50 ms is stored to within 0.1 %.
    expect(result.latency.histogram.minNonZeroValue / 1e6).toBeGreaterThanOrEqual(49.95);
    expect(result.achievedRate).toBeCloseTo(50, -1);
  }, 15_000);

  it('leaves the warm-up out: slow answers to warm-up calls reach no percentile', async () => {
    let windowOpen = false;
    // 1 s answers while warming up (a cold cache), 5 ms once the window has started: counted,
    // the warm-up's 50 would be a third of the samples, each over 1 s.
    const operation: Operation = () => answerAt(performance.now() + (windowOpen ? 5 : 1_000));
    const result = await runOpenLoop(operation, {
      rate: 100,
      warmupMs: 500,
      durationMs: 1_000,
      onWindowStart: () => (windowOpen = true),
    });

    expect(result.due).toBe(100);
    expect(result.completed).toBe(100);
    expect(result.latency.histogram.totalCount).toBe(100);
    // Below the warm-up's 1 s with room for a hiccup of this busy process.
    expect(p(summary(result, 'latency').max)).toBeLessThan(500);
    // The warm-up answers that land in the window still count as throughput there.
    expect(result.completedInWindow).toBeGreaterThan(100);
  }, 15_000);

  it('a 200 ms stall of the responder mid-window shows in p99, not only in max', async () => {
    let stall: { start: number; durationMs: number } | undefined;
    const result = await runOpenLoop(
      stallingResponder(5, () => stall),
      {
        rate: 200,
        warmupMs: 200,
        durationMs: 2_000,
        onWindowStart: () => (stall = { start: performance.now() + 1_000, durationMs: 200 }),
      },
    );

    // ~40 of the 400 calls (10 %) are answered at the stall's end.
    const latency = summary(result, 'latency');
    expect(p(latency.p99)).toBeGreaterThanOrEqual(100);
    expect(p(latency.p50)).toBeLessThan(20);
    expect(result.errors + result.lost).toBe(0);
  }, 15_000);

  it('when the stall also stops the sender, only latency from the due time shows it', async () => {
    let windowStart: number | undefined;
    let frozen = false;
    const respond = fixedDelayResponder(5);
    // Once, 1 s into the window, the whole process stops for 200 ms: the generator too, so the
    // ~40 calls due meanwhile leave late — and look fast if timed from when they actually left.
    const operation: Operation = (index) => {
      if (!frozen && windowStart !== undefined && performance.now() >= windowStart + 1_000) {
        frozen = true;
        freeze(200);
      }
      return respond(index);
    };
    const result = await runOpenLoop(operation, {
      rate: 200,
      warmupMs: 200,
      durationMs: 3_000,
      onWindowStart: () => (windowStart = performance.now()),
    });

    expect(frozen).toBe(true);
    expect(p(summary(result, 'latency').p99)).toBeGreaterThanOrEqual(100);
    expect(p(summary(result, 'uncorrected').p99)).toBeLessThan(50);
    expect(p(summary(result, 'sendLag').max)).toBeGreaterThanOrEqual(150);
  }, 15_000);

  it('counts failures as errors and answers that never come as lost', async () => {
    const operation: Operation = (index) =>
      index % 10 === 0
        ? Promise.reject(new Error('refused'))
        : index % 10 === 1
          ? new Promise<void>(() => undefined)
          : Promise.resolve();
    const result = await runOpenLoop(operation, {
      rate: 100,
      durationMs: 500,
      drainTimeoutMs: 200,
    });

    expect(result).toMatchObject({ due: 50, completed: 40, errors: 5, lost: 5 });
    expect(result.firstError).toBe('refused');
  }, 15_000);
});
