import { Injectable } from '@nestjs/common';
import { DueWorkJob } from '@switchboard/platform-runtime';
import { DataSource, LessThanOrEqual } from 'typeorm';
import { CallEntity } from '../entities/call.entity';
import { CallTransitions } from '../shared/call-transitions';

/** Every instance looks for calls that rang out this often, so one is never much later than this. */
export const RING_SWEEP_MS = 500;
/** Calls expired per query. */
const BATCH = 100;

/**
 * Turns calls nobody answered into `missed` at their `ringsUntil`, across restarts and instances.
 * The job is the `calls` table itself (ringing rows by due time, indexed), so nothing is lost when
 * an instance dies: the next one to run expires what came due meanwhile, right after boot.
 *
 * Each expiry is the state machine's compare-and-set (`WHERE state = 'ringing'`) with its outbox
 * event in one transaction, so when instances — or an accept and the time-out — race, exactly one
 * wins and `evt.calls.call.missed.v1` is written once.
 */
@Injectable()
export class RingTimeoutScheduler extends DueWorkJob {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: CallTransitions,
  ) {
    super({ sweepMs: RING_SWEEP_MS });
  }

  protected async round(stopping: () => boolean): Promise<Date | null> {
    const calls = this.dataSource.getRepository(CallEntity);
    for (;;) {
      const due = await calls.find({
        where: { state: 'ringing', ringsUntil: LessThanOrEqual(new Date()) },
        order: { ringsUntil: 'ASC' },
        take: BATCH,
      });
      let expired = 0;
      for (const call of due) {
        if (stopping()) return null;
        if (await this.expire(call)) expired += 1;
      }
      // Stop when the batch was the last, or when other instances took all of it.
      if (due.length < BATCH || expired === 0 || stopping()) break;
    }
    const next = await calls.findOne({ where: { state: 'ringing' }, order: { ringsUntil: 'ASC' } });
    return next?.ringsUntil ?? null;
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
