import { setTimeout as sleep } from 'node:timers/promises';
import {
  currentCallContext,
  currentDeadline,
  currentTraceId,
  currentTraceparent,
  outgoingTraceContext,
  remainingBudgetMs,
  runWithCallContext,
} from './call-context';
import { isValidTraceparent, traceIdOf } from './trace-context';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('call context', () => {
  it('is empty outside any', () => {
    expect(currentCallContext()).toBeUndefined();
    expect(currentDeadline()).toBeUndefined();
    expect(remainingBudgetMs()).toBeUndefined();
    expect(currentTraceparent()).toBeUndefined();
    expect(currentTraceId()).toBeUndefined();
  });

  it('follows the work across awaits and timers, and ends with it', async () => {
    const deadline = Date.now() + 60_000;
    const seen = await runWithCallContext(
      { deadline, trace: { traceparent: TRACEPARENT } },
      async () => {
        await sleep(5);
        return new Promise<[number | undefined, string | undefined]>((resolve) =>
          setTimeout(() => resolve([currentDeadline(), currentTraceId()]), 5),
        );
      },
    );
    expect(seen).toEqual([deadline, '4bf92f3577b34da6a3ce929d0e0e4736']);
    expect(currentCallContext()).toBeUndefined();
  });

  it('keeps concurrent works apart and restores an outer context after an inner one', async () => {
    const outer = { deadline: 1 };
    const results = await runWithCallContext(outer, () =>
      Promise.all([
        runWithCallContext({ deadline: 2 }, async () => {
          await sleep(10);
          return currentDeadline();
        }),
        (async () => {
          await sleep(1);
          return currentDeadline();
        })(),
      ]).then((inner) => [...inner, currentDeadline()]),
    );
    expect(results).toEqual([2, 1, 1]);
  });

  it('counts the remaining budget down to the deadline, and below zero after it', () => {
    const inAMinute = runWithCallContext({ deadline: Date.now() + 60_000 }, remainingBudgetMs);
    expect(inAMinute).toBeGreaterThan(59_000);
    expect(inAMinute).toBeLessThanOrEqual(60_000);
    expect(runWithCallContext({ deadline: Date.now() - 10 }, remainingBudgetMs)).toBeLessThan(0);
  });

  it('sends a child of the current trace, or a new trace outside any', () => {
    const child = runWithCallContext({ trace: { traceparent: TRACEPARENT } }, outgoingTraceContext);
    expect(traceIdOf(child.traceparent)).toBe(traceIdOf(TRACEPARENT));
    expect(child.traceparent).not.toBe(TRACEPARENT);
    const fresh = outgoingTraceContext();
    expect(isValidTraceparent(fresh.traceparent)).toBe(true);
    expect(traceIdOf(fresh.traceparent)).not.toBe(traceIdOf(TRACEPARENT));
  });
});
