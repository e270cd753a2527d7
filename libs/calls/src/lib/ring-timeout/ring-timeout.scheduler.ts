import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource, LessThanOrEqual } from 'typeorm';
import { CallEntity } from '../entities/call.entity';
import { CallTransitions } from '../shared/call-transitions';

/** Every instance looks for calls that rang out this often, so one is never much later than this. */
export const RING_SWEEP_MS = 500;
/** Calls expired per query. */
const BATCH = 100;
/** `setTimeout` fires at once for longer delays; the sweep covers what lies beyond. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Turns calls nobody answered into `missed` at their `ringsUntil`, across restarts and instances.
 * The job is the `calls` table itself (ringing rows by due time, indexed), so nothing is lost when
 * an instance dies: the next one to run expires what came due meanwhile, right after boot.
 *
 * Two clocks drive it, as bots' reminders: a timer armed for the nearest due call (punctual) and a
 * sweep every {@link RING_SWEEP_MS} (catches calls started on other instances). Each expiry is the
 * state machine's compare-and-set (`WHERE state = 'ringing'`) with its outbox event in one
 * transaction, so when instances — or an accept and the time-out — race, exactly one wins and
 * `evt.calls.call.missed.v1` is written once.
 */
@Injectable()
export class RingTimeoutScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(RingTimeoutScheduler.name);
  private sweepTimer: NodeJS.Timeout | undefined;
  private dueTimer: NodeJS.Timeout | undefined;
  private dueTimerAt = Infinity;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: CallTransitions,
  ) {}

  /** Idempotent: Nest calls bootstrap hooks once per connected microservice as well as the app. */
  onApplicationBootstrap(): void {
    if (this.sweepTimer !== undefined) return;
    this.stopped = false;
    this.sweepTimer = setInterval(() => this.runRound(), RING_SWEEP_MS).unref();
    this.runRound();
  }

  /** Before the database and NATS close, so an expiry in progress can finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    clearTimeout(this.dueTimer);
    this.sweepTimer = undefined;
    this.dueTimerAt = Infinity;
    await this.running;
  }

  /** A call ringing until `dueAt` was started: make sure a round runs then. */
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

  /** One round at a time; a trigger during a round makes another one follow it. */
  private runRound(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round()
      .catch((error: unknown) => this.log.warn(`Ring time-out round failed: ${describe(error)}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.runRound();
        }
      });
  }

  private async round(): Promise<void> {
    const calls = this.dataSource.getRepository(CallEntity);
    for (;;) {
      const due = await calls.find({
        where: { state: 'ringing', ringsUntil: LessThanOrEqual(new Date()) },
        order: { ringsUntil: 'ASC' },
        take: BATCH,
      });
      let expired = 0;
      for (const call of due) {
        if (this.stopped) return;
        if (await this.expire(call)) expired += 1;
      }
      // Stop when the batch was the last, or when other instances took all of it.
      if (due.length < BATCH || expired === 0 || this.stopped) break;
    }
    const next = await calls.findOne({ where: { state: 'ringing' }, order: { ringsUntil: 'ASC' } });
    if (next) this.wakeAt(next.ringsUntil);
  }

  /** True when this instance made the call `missed` (false: answered, ended or taken meanwhile). */
  private expire(call: CallEntity): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const missed = await this.transitions.apply(manager, call, 'missed', {
        endedAt: new Date(),
      });
      return missed !== null;
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
