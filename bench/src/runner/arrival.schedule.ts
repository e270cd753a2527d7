/** How the arrivals of an open loop are spaced. */
export const ARRIVALS = ['constant', 'poisson'] as const;
export type Arrival = (typeof ARRIVALS)[number];

/**
 * A seeded uniform generator on [0, 1) (mulberry32: 32 bits of state, period 2³²). Not for
 * cryptography; for a schedule that is random-looking yet identical on every run with the same
 * seed, so two runs (or two topologies) face exactly the same bursts.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * The due times of successive arrivals, in ms from the start, one per call. `constant`: i / rate,
 * the first at 0. `poisson`: independent exponential gaps of mean 1 / rate — what many users
 * acting independently look like, bursts and lulls included, which a constant schedule never
 * produces. The gaps come from `seed`, so the sequence is reproducible.
 */
export function arrivalOffsets(arrival: Arrival, rate: number, seed = 1): () => number {
  const intervalMs = 1_000 / rate;
  if (arrival === 'constant') {
    let index = 0;
    // Multiplied, not summed: no rounding error accumulates over a long window.
    return () => index++ * intervalMs;
  }
  const random = seededRandom(seed);
  let at = 0;
  return () => {
    // 1 - u is in (0, 1]: the logarithm is finite.
    at += -Math.log(1 - random()) * intervalMs;
    return at;
  };
}
