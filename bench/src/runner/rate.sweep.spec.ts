import { summarize } from './latency.recorder';
import { type Operation, runOpenLoop } from './open-loop.runner';
import { roundRate, runSweep, type StepFigures, stepFailure, sweepRates } from './rate.sweep';
import { fixedDelayResponder, singleServer } from './testing/in-process.responders';

const measureWith =
  (responder: () => Operation, windowMs: number) =>
  async (rate: number): Promise<StepFigures> => {
    const result = await runOpenLoop(responder(), { rate, warmupMs: 300, durationMs: windowMs });
    return {
      sentRate: result.sentRate,
      achievedRate: result.achievedRate,
      p99Ms: summarize(result.latency.histogram).p99 / 1_000,
    };
  };

describe('rate sweep', () => {
  it('steps geometrically from the start rate up to the maximum, three significant digits', () => {
    expect(sweepRates({ startRate: 10, factor: 1.5, maxRate: 60 })).toEqual([
      10, 15, 22.5, 33.8, 50.6,
    ]);
  });

  it('a step is sustained only while achieved ≥ the ratio of sent and p99 ≤ the bound', () => {
    const options = { startRate: 1, factor: 2, maxRate: 10, minRatio: 0.95, p99BoundMs: 100 };
    expect(stepFailure({ sentRate: 100, achievedRate: 96, p99Ms: 50 }, options)).toBeUndefined();
    expect(stepFailure({ sentRate: 100, achievedRate: 90, p99Ms: 50 }, options)).toMatch(
      /achieved 90\/s, 90 % of the 100\/s sent/,
    );
    expect(stepFailure({ sentRate: 100, achievedRate: 99, p99Ms: 150 }, options)).toMatch(
      /p99 150.0 ms > the 100 ms bound/,
    );
  });

  it('finds the knee of a server of known capacity within one step, then measures half of it', async () => {
    const serviceMs = 10;
    const capacity = 1_000 / serviceMs;
    // Steps 30, 45, 67.5, 101, 152/s: the last step below capacity loads the server to 67.5 %,
    // so a stall of this (busy) test process does not leave a backlog at the window's end.
    const options = { startRate: 30, factor: 1.5, maxRate: 400, minRatio: 0.95, p99BoundMs: 500 };
    const outcome = await runSweep(
      measureWith(() => singleServer(serviceMs), 1_000),
      options,
    );

    const knee = outcome.kneeRate as number;
    // The true capacity lies between the knee and the next step; a step a little above
    // capacity still passes a 95 % rule.
    expect(knee).toBeGreaterThanOrEqual(capacity / options.factor);
    expect(knee).toBeLessThanOrEqual(capacity / options.minRatio);
    expect(outcome.steps.at(-1)?.failure).toMatch(/achieved/);
    expect(outcome.stoppedBecause).toMatch(/achieved/);
    expect(outcome.steps.slice(0, -1).every((step) => step.failure === undefined)).toBe(true);
    expect(outcome.halfKnee?.rate).toBe(roundRate(knee / 2));
    expect(outcome.halfKnee?.failure).toBeUndefined();
  }, 40_000);

  it('stops at the first step whose p99 passes the bound, with no knee', async () => {
    // A lenient rate rule: 10 operations per step are too few to judge 95 % of them.
    const options = { startRate: 20, factor: 2, maxRate: 400, minRatio: 0.5, p99BoundMs: 20 };
    const outcome = await runSweep(
      measureWith(() => fixedDelayResponder(30), 500),
      options,
    );

    expect(outcome.steps).toHaveLength(1);
    expect(outcome.kneeRate).toBeUndefined();
    expect(outcome.halfKnee).toBeUndefined();
    expect(outcome.stoppedBecause).toMatch(/^at 20\/s: p99 .* > the 20 ms bound$/);
  }, 15_000);
});
