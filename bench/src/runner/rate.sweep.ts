/** How a sweep steps the offered rate up and when it stops. */
export interface SweepOptions {
  /** The first offered rate, operations per second. */
  startRate: number;
  /** Each step offers this many times the previous one (geometric steps). */
  factor: number;
  /** No step above this rate: a sweep that never saturates still ends. */
  maxRate: number;
  /** A step is sustained while achieved ≥ minRatio × sent (see {@link stepFailure}). */
  minRatio: number;
  /** …and while its p99 stays at or under this bound, ms. */
  p99BoundMs: number;
}

export const DEFAULT_SWEEP: SweepOptions = {
  startRate: 10,
  factor: 1.5,
  maxRate: 5_000,
  minRatio: 0.95,
  p99BoundMs: 500,
};

/** What the stop rule reads of a step. */
export interface StepFigures {
  /**
   * Operations the generator actually sent inside the window, per second: random around the
   * nominal rate for Poisson, lower when the generator fell behind.
   */
  sentRate: number;
  /** Operations completed inside the same window, per second. */
  achievedRate: number;
  p99Ms: number;
}

export interface SweepStep<T> {
  /** The nominal offered rate of the step. */
  rate: number;
  result: T;
  /** Undefined when sustained; otherwise why not. */
  failure?: string;
}

export interface SweepOutcome<T> {
  /** In increasing rate; the last one is the first not sustained, unless the sweep hit maxRate. */
  steps: SweepStep<T>[];
  /** The highest rate sustained; undefined if the first step was not. */
  kneeRate?: number;
  stoppedBecause: string;
  /** The extra step at half the knee: latency of the system when it is not saturated. */
  halfKnee?: SweepStep<T>;
}

/** Rates with three significant digits: 10, 15, 22.5, 33.8, … read better than 33.75 or 50.625. */
export function roundRate(rate: number): number {
  return Number(rate.toPrecision(3));
}

/** The offered rates of a sweep: start × factorⁱ up to maxRate. */
export function sweepRates(
  options: Pick<SweepOptions, 'startRate' | 'factor' | 'maxRate'>,
): number[] {
  if (options.factor <= 1) throw new Error(`sweep factor must be > 1, got ${options.factor}`);
  const rates: number[] = [];
  for (let rate = options.startRate; rate <= options.maxRate * (1 + 1e-9); rate *= options.factor) {
    const rounded = roundRate(rate);
    if (rates.length === 0 || rounded > (rates.at(-1) as number)) rates.push(rounded);
  }
  return rates;
}

/**
 * Why a step is not sustained, or undefined if it is. Completions are compared with what was sent
 * in the same window, not with the schedule: when this process is starved (it shares the CPU),
 * its late sends leave the window together with their answers and do not count against the
 * system — while the latency, measured from the schedule, still shows the starvation, so a
 * generator that cannot keep up stops the sweep through the p99 bound.
 */
export function stepFailure(figures: StepFigures, options: SweepOptions): string | undefined {
  if (figures.achievedRate < options.minRatio * figures.sentRate) {
    const percent = (100 * figures.achievedRate) / Math.max(figures.sentRate, 1e-9);
    return (
      `achieved ${roundRate(figures.achievedRate)}/s, ${percent.toFixed(0)} % of the ` +
      `${roundRate(figures.sentRate)}/s sent (< ${(options.minRatio * 100).toFixed(0)} %)`
    );
  }
  if (figures.p99Ms > options.p99BoundMs) {
    return `p99 ${figures.p99Ms.toFixed(1)} ms > the ${options.p99BoundMs} ms bound`;
  }
  return undefined;
}

/**
 * Steps the offered rate up geometrically, one measured window per step, until a step is not
 * sustained (achieved below `minRatio` of sent, or p99 above the bound) or the next step
 * would pass `maxRate`. The knee is the highest sustained rate — the true capacity lies between
 * it and the next step, so the resolution is the factor. Then one more step at half the knee,
 * where latency is what the system gives when it is not saturated.
 *
 * `measure` runs one window at a rate; the caller decides how to let the system drain between
 * steps (the step after a failed one starts on whatever backlog the failure left).
 */
export async function runSweep<T extends StepFigures>(
  measure: (rate: number, role: 'step' | 'half-knee') => Promise<T>,
  options: SweepOptions,
): Promise<SweepOutcome<T>> {
  const steps: SweepStep<T>[] = [];
  let kneeRate: number | undefined;
  let stoppedBecause = `at --sweep-max ${options.maxRate}/s: every step sustained`;
  for (const rate of sweepRates(options)) {
    const result = await measure(rate, 'step');
    const failure = stepFailure(result, options);
    steps.push({ rate, result, failure });
    if (failure) {
      stoppedBecause = `at ${rate}/s: ${failure}`;
      break;
    }
    kneeRate = rate;
  }
  let halfKnee: SweepStep<T> | undefined;
  if (kneeRate !== undefined) {
    const rate = roundRate(kneeRate / 2);
    const result = await measure(rate, 'half-knee');
    halfKnee = { rate, result, failure: stepFailure(result, options) };
  }
  return { steps, kneeRate, stoppedBecause, halfKnee };
}
