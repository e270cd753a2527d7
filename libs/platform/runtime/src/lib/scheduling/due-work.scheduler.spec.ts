import { Logger } from '@nestjs/common';
import { DueWorkScheduler } from './due-work.scheduler';

/** A round that records when it ran, returns the next due instant it is told, and can be held. */
function recordingRound() {
  const runs: number[] = [];
  let next: Date | null = null;
  let hold: Promise<void> | undefined;
  let failNext = false;
  return {
    runs,
    setNext: (date: Date | null) => (next = date),
    holdWith: (promise: Promise<void> | undefined) => (hold = promise),
    failOnce: () => (failNext = true),
    round: async (): Promise<Date | null> => {
      runs.push(Date.now());
      if (hold) await hold;
      if (failNext) {
        failNext = false;
        throw new Error('database unreachable');
      }
      return next;
    },
  };
}

describe('DueWorkScheduler', () => {
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-26T12:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('runs a round at start, then every sweep', async () => {
    const work = recordingRound();
    const scheduler = new DueWorkScheduler({ name: 'test', sweepMs: 500, round: work.round });
    scheduler.start();
    scheduler.start(); // idempotent
    await jest.advanceTimersByTimeAsync(0);
    expect(work.runs).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(work.runs).toHaveLength(3);
    await scheduler.stop();
  });

  it('runs a round at the due time a round or a caller asks for, before the next sweep', async () => {
    const work = recordingRound();
    const scheduler = new DueWorkScheduler({ name: 'test', sweepMs: 60_000, round: work.round });
    const start = Date.now();
    work.setNext(new Date(start + 1_000));
    scheduler.start();
    await jest.advanceTimersByTimeAsync(999);
    expect(work.runs).toHaveLength(1);
    work.setNext(null);
    await jest.advanceTimersByTimeAsync(1);
    expect(work.runs.map((at) => at - start)).toEqual([0, 1_000]);

    scheduler.wakeAt(new Date(start + 1_250));
    scheduler.wakeAt(new Date(start + 5_000)); // later than the armed timer: ignored
    await jest.advanceTimersByTimeAsync(10_000);
    expect(work.runs.map((at) => at - start)).toEqual([0, 1_000, 1_250]);
    await scheduler.stop();
  });

  it('never overlaps rounds: a trigger during a round runs exactly one more after it', async () => {
    const work = recordingRound();
    let release!: () => void;
    work.holdWith(new Promise<void>((resolve) => (release = resolve)));
    const scheduler = new DueWorkScheduler({ name: 'test', sweepMs: 100, round: work.round });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(1_000); // ten sweeps while the first round is held
    expect(work.runs).toHaveLength(1);
    work.holdWith(undefined);
    release();
    await jest.advanceTimersByTimeAsync(0);
    expect(work.runs).toHaveLength(2);
    await scheduler.stop();
  });

  it('keeps going after a failed round', async () => {
    const work = recordingRound();
    work.failOnce();
    const scheduler = new DueWorkScheduler({ name: 'test', sweepMs: 100, round: work.round });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(250);
    expect(work.runs).toHaveLength(3);
    await scheduler.stop();
  });

  it('on stop waits for the round in progress, tells it to stop, and runs no more', async () => {
    const work = recordingRound();
    let release!: () => void;
    work.holdWith(new Promise<void>((resolve) => (release = resolve)));
    let stoppingSeen = false;
    const scheduler = new DueWorkScheduler({
      name: 'test',
      sweepMs: 100,
      round: async (stopping) => {
        const next = await work.round();
        stoppingSeen = stopping();
        return next;
      },
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stoppingSeen).toBe(true);
    scheduler.wakeAt(new Date());
    await jest.advanceTimersByTimeAsync(1_000);
    expect(work.runs).toHaveLength(1);
  });
});
