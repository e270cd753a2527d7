import { Presets, SingleBar } from 'cli-progress';
import { type OpenLoopProgress } from '../runner/open-loop.runner';

/**
 * Progress on stderr, stdout being for the result: a bar per run while it runs when stderr is a
 * terminal, and in any case one line per finished run — all a log file or CI gets.
 */
export class RunProgress {
  private bar: SingleBar | undefined;

  constructor(private readonly interactive = process.stderr.isTTY === true) {}

  /** Starts the bar of a run; returns the open loop's progress callback. */
  start(label: string, totalMs: number): (progress: OpenLoopProgress) => void {
    if (!this.interactive) return () => undefined;
    this.bar = new SingleBar(
      {
        format:
          `${label} {bar} {phase} {seconds}/${(totalMs / 1_000).toFixed(0)} s | ` +
          'sent {sent} done {done} in flight {inFlight} errors {errors}',
        stream: process.stderr,
        barsize: 20,
        clearOnComplete: true,
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    this.bar.start(
      totalMs,
      0,
      payload({
        phase: 'warm-up',
        elapsedMs: 0,
        totalMs,
        sent: 0,
        completed: 0,
        errors: 0,
        inFlight: 0,
      }),
    );
    return (progress) => this.bar?.update(progress.elapsedMs, payload(progress));
  }

  /** Ends the run's bar and prints its line. */
  finish(line: string): void {
    this.bar?.stop();
    this.bar = undefined;
    process.stderr.write(`${line}\n`);
  }

  /** A line between runs (preparing a topology, …). */
  note(line: string): void {
    this.bar?.stop();
    this.bar = undefined;
    process.stderr.write(`${line}\n`);
  }
}

function payload(progress: OpenLoopProgress): Record<string, string | number> {
  return {
    phase: progress.phase.padEnd(7),
    seconds: (progress.elapsedMs / 1_000).toFixed(1),
    sent: progress.sent,
    done: progress.completed,
    inFlight: progress.inFlight,
    errors: progress.errors,
  };
}
