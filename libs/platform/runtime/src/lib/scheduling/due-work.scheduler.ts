import {
  type BeforeApplicationShutdown,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';

/** `setTimeout` fires at once for longer delays; the sweep covers what lies beyond. */
const MAX_TIMER_MS = 2_147_483_647;

export interface DueWorkOptions {
  /** Names the work in log lines, e.g. `ReminderScheduler`. */
  name: string;
  /**
   * A round runs at least this often, whatever the timer says: it catches work written by other
   * instances, and anything a timer missed.
   */
  sweepMs: number;
  /**
   * Does what is due now and returns when the next piece of work falls due (null: nothing
   * pending). The work must be safe to run on several instances at once (claim rows with a
   * compare-and-set), since each instance sweeps. `stopping()` turns true on shutdown: finish the
   * item in hand and return.
   */
  round: (stopping: () => boolean) => Promise<Date | null>;
}

/**
 * Runs work at its due time, across restarts and instances, when the work lives in the database
 * (reminders, ring time-outs, story expiry): two clocks drive one `round` — a timer armed for the
 * nearest due item (punctual) and a periodic sweep (catches what other instances wrote, and what
 * came due while no instance ran: the first round runs at `start`). Rounds never overlap; a trigger
 * during a round makes one more follow it. A failing round is logged and the next trigger tries
 * again.
 *
 * Nest providers extend {@link DueWorkJob}, which starts and stops it with the app.
 */
export class DueWorkScheduler {
  private readonly log: Logger;
  private sweepTimer: NodeJS.Timeout | undefined;
  private dueTimer: NodeJS.Timeout | undefined;
  private dueTimerAt = Infinity;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly options: DueWorkOptions) {
    this.log = new Logger(options.name);
  }

  /** Starts the sweep and runs a first round. Idempotent (Nest may call bootstrap hooks twice). */
  start(): void {
    if (this.sweepTimer !== undefined) return;
    this.stopped = false;
    this.sweepTimer = setInterval(() => this.runRound(), this.options.sweepMs).unref();
    this.runRound();
  }

  /** Stops both clocks and waits for the round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    clearTimeout(this.dueTimer);
    this.sweepTimer = undefined;
    this.dueTimerAt = Infinity;
    await this.running;
  }

  /** Work due at `dueAt` was written: make sure a round runs then (no-op while stopped). */
  wakeAt(dueAt: Date): void {
    if (this.stopped || dueAt.getTime() >= this.dueTimerAt) return;
    clearTimeout(this.dueTimer);
    this.dueTimerAt = dueAt.getTime();
    const delay = Math.min(Math.max(dueAt.getTime() - Date.now(), 0), MAX_TIMER_MS);
    this.dueTimer = setTimeout(() => {
      this.dueTimerAt = Infinity;
      this.runRound();
    }, delay).unref();
  }

  private runRound(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.options
      .round(() => this.stopped)
      .then((next) => {
        if (next) this.wakeAt(next);
      })
      .catch((error: unknown) => this.log.warn(`Round failed: ${describe(error)}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.runRound();
        }
      });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * A Nest provider running a {@link DueWorkScheduler} for the app's lifetime: started on bootstrap,
 * stopped before shutdown (so the round in progress finishes while the database and NATS are still
 * open; what is left is picked up by the next instance that runs). Subclasses implement `round`.
 *
 * @example
 * @Injectable()
 * export class ReminderScheduler extends DueWorkJob {
 *   constructor(private readonly dataSource: DataSource) { super({ sweepMs: 500 }); }
 *   protected async round(stopping: () => boolean): Promise<Date | null> { … }
 * }
 */
export abstract class DueWorkJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly scheduler: DueWorkScheduler;
  private readonly enabled: boolean;

  protected constructor(options: { sweepMs: number; enabled?: boolean }) {
    this.enabled = options.enabled ?? true;
    this.scheduler = new DueWorkScheduler({
      name: this.constructor.name,
      sweepMs: options.sweepMs,
      round: (stopping) => this.round(stopping),
    });
  }

  /** Does what is due now; returns when the next work falls due (see `DueWorkOptions.round`). */
  protected abstract round(stopping: () => boolean): Promise<Date | null>;

  onApplicationBootstrap(): void {
    if (this.enabled) this.scheduler.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.scheduler.stop();
  }

  /** Work due at `dueAt` was written: make sure a round runs then. */
  wakeAt(dueAt: Date): void {
    this.scheduler.wakeAt(dueAt);
  }
}
