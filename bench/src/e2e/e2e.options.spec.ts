import { parseE2eOptions } from './e2e.options';

describe('parseE2eOptions', () => {
  it('defaults: services and monolith, every scenario, Poisson at 20 and 50/s, no sweep', () => {
    expect(parseE2eOptions([])).toEqual({
      topologies: ['services', 'monolith'],
      scenarios: ['post', 'echo', 'story-reply'],
      rates: [20, 50],
      arrival: 'poisson',
      seed: 1,
      warmupMs: 3_000,
      durationMs: 10_000,
      conversations: 16,
      drainMs: 30_000,
      sweep: undefined,
      out: undefined,
    });
  });

  it('--sweep takes its steps and stop rule from its flags', () => {
    expect(
      parseE2eOptions([
        '--sweep',
        '--sweep-start',
        '5',
        '--sweep-factor',
        '2',
        '--p99-bound',
        '250',
      ])?.sweep,
    ).toEqual({ startRate: 5, factor: 2, maxRate: 5_000, minRatio: 0.95, p99BoundMs: 250 });
  });

  it('names the bad flag', () => {
    expect(() => parseE2eOptions(['--scenario', 'post,likes'])).toThrow(
      '--scenario: unknown "likes"; choose from post, echo, story-reply',
    );
    expect(() => parseE2eOptions(['--arrival', 'burst'])).toThrow('--arrival: unknown "burst"');
    expect(() => parseE2eOptions(['--sweep-factor', '1'])).toThrow('--sweep-factor');
    expect(() => parseE2eOptions(['--rate', '0'])).toThrow('--rate: expected a positive number');
  });
});
