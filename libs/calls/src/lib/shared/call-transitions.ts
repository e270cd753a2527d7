import { Injectable } from '@nestjs/common';
import { type Calls } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { type EntityManager } from 'typeorm';
import { CallsErrors } from '../calls.errors';
import { BusyUserEntity } from '../entities/busy-user.entity';
import { CallEntity } from '../entities/call.entity';
import { canTransition, EVENT_OF_STATE, isLive } from './call-state-machine';
import { participantIdsOf, toCallView } from './views';

export type CallChanges = Partial<
  Pick<CallEntity, 'acceptedBy' | 'answeredAt' | 'endedAt' | 'durationSeconds' | 'failureReason'>
>;

/**
 * The one place a call changes state: a compare-and-set UPDATE (`WHERE state = <the state read>`),
 * so of two racing changes exactly one matches; the winner frees the busy rows of a call that is
 * over and writes the event to the outbox, all in the caller's transaction.
 */
@Injectable()
export class CallTransitions {
  constructor(private readonly outbox: Outbox) {}

  /** The call, or `CALLS.CALL_NOT_FOUND`. */
  async load(manager: EntityManager, callId: string): Promise<CallEntity> {
    const call = await manager.findOneBy(CallEntity, { id: callId });
    if (!call) throw CallsErrors.callNotFound(callId);
    return call;
  }

  /** Throws `CALLS.ILLEGAL_TRANSITION` unless the state machine allows `call.state → to`. */
  assertAllowed(call: CallEntity, to: Calls.CallState): void {
    if (!canTransition(call.state, to)) {
      throw CallsErrors.illegalTransition(call.id, call.state, to);
    }
  }

  /**
   * Moves `call` from the state it was read in to `to`. Returns the updated call, or null when
   * another change got there first (the row no longer has the state that was read).
   */
  async apply(
    manager: EntityManager,
    call: CallEntity,
    to: Calls.CallState,
    changes: CallChanges = {},
  ): Promise<CallEntity | null> {
    this.assertAllowed(call, to);
    const result = await manager.update(
      CallEntity,
      { id: call.id, state: call.state },
      { state: to, ...changes },
    );
    if (result.affected !== 1) return null;
    const updated: CallEntity = { ...call, state: to, ...changes };
    if (!isLive(to)) await manager.delete(BusyUserEntity, { callId: call.id });
    await this.announce(manager, updated);
    return updated;
  }

  /** Writes the event of the call's current state to the outbox. */
  async announce(manager: EntityManager, call: CallEntity): Promise<void> {
    await this.outbox.add(manager, EVENT_OF_STATE[call.state], {
      call: toCallView(call),
      participantIds: participantIdsOf(call),
    });
  }

  /**
   * Takes the call's row lock while it still is in `state` (a no-op UPDATE: portable, unlike
   * `FOR UPDATE`), so that decisions over several rows (all invitees declined?) see every
   * concurrent change that committed before. False when the call has left `state`.
   */
  async lock(manager: EntityManager, call: CallEntity): Promise<boolean> {
    const result = await manager.update(
      CallEntity,
      { id: call.id, state: call.state },
      { state: call.state },
    );
    return result.affected === 1;
  }
}

/** Whole seconds between answering and the end (never negative, whatever the clocks did). */
export function durationOf(call: CallEntity, endedAt: Date): number | null {
  if (call.answeredAt === null) return null;
  return Math.max(0, Math.floor((endedAt.getTime() - call.answeredAt.getTime()) / 1000));
}
