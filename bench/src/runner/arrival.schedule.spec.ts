import { arrivalOffsets, seededRandom } from './arrival.schedule';
import { runOpenLoop } from './open-loop.runner';

const take = (next: () => number, n: number): number[] => Array.from({ length: n }, next);

describe('arrivalOffsets', () => {
  it('constant arrivals are exactly i / rate', () => {
    expect(take(arrivalOffsets('constant', 400), 4)).toEqual([0, 2.5, 5, 7.5]);
  });

  it('Poisson gaps average 1 / rate within 2 % over 100,000 arrivals, spread like an exponential', () => {
    const n = 100_000;
    const offsets = take(arrivalOffsets('poisson', 500, 7), n);
    const gaps = offsets.map((at, i) => at - (i === 0 ? 0 : (offsets[i - 1] as number)));
    const mean = gaps.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(gaps.reduce((sum, gap) => sum + (gap - mean) ** 2, 0) / n);

    expect(Math.abs(mean - 2) / 2).toBeLessThan(0.02);
    // An exponential's standard deviation equals its mean; a constant schedule's is 0.
    expect(sd / mean).toBeGreaterThan(0.95);
    expect(sd / mean).toBeLessThan(1.05);
    expect(gaps.every((gap) => gap >= 0)).toBe(true);
  });

  it('the same seed gives the same Poisson sequence, another seed another', () => {
    const first = take(arrivalOffsets('poisson', 100, 42), 1_000);
    expect(take(arrivalOffsets('poisson', 100, 42), 1_000)).toEqual(first);
    expect(take(arrivalOffsets('poisson', 100, 43), 1_000)).not.toEqual(first);
    expect(take(seededRandom(1), 3)).toEqual(take(seededRandom(1), 3));
  });

  it('the open loop offers Poisson arrivals at the rate, the same number on every run', async () => {
    const run = () =>
      runOpenLoop(async () => undefined, {
        rate: 1_000,
        arrival: 'poisson',
        seed: 3,
        durationMs: 1_000,
      });
    const [a, b] = [await run(), await run()];

    // Within four standard deviations (√1000 ≈ 32) of 1,000.
    expect(Math.abs(a.due - 1_000)).toBeLessThan(126);
    expect(b.due).toBe(a.due);
    expect(a.completed).toBe(a.due);
  }, 15_000);
});
