import { Injectable } from '@nestjs/common';
import { type Calls } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { CallsErrors } from '../../calls.errors';
import { CallTransitions, durationOf } from '../../shared/call-transitions';
import { isParticipant, toCallView } from '../../shared/views';

export interface EndCallInput {
  callId: string;
  userId: string;
  /** `ended`: hung up; `failed`: the client reports the media connection broke. */
  outcome: Extract<Calls.CallState, 'ended' | 'failed'>;
  /** Why it failed, as the client says (stored for operators). */
  reason?: string;
}

/**
 * One side of an active call ends it: `active → ended` (hang-up) or `active → failed`. Either
 * carries the duration since it was answered. Only the two connected people may end it; the state
 * is checked before that, since who is connected depends on it.
 */
@Injectable()
export class EndCallUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: CallTransitions,
  ) {}

  execute(input: EndCallInput): Promise<Calls.CallView> {
    const { callId, userId, outcome } = input;
    return this.dataSource.transaction(async (manager) => {
      const call = await this.transitions.load(manager, callId);
      if (!isParticipant(call, userId)) throw CallsErrors.notAParticipant(callId);
      this.transitions.assertAllowed(call, outcome);
      if (userId !== call.callerId && userId !== call.acceptedBy) {
        throw CallsErrors.notConnected(callId);
      }
      const endedAt = new Date();
      const ended = await this.transitions.apply(manager, call, outcome, {
        endedAt,
        durationSeconds: durationOf(call, endedAt),
        failureReason: outcome === 'failed' ? (input.reason ?? null) : null,
      });
      if (ended) return toCallView(ended);
      const current = await this.transitions.load(manager, callId);
      throw CallsErrors.illegalTransition(callId, current.state, outcome);
    });
  }
}
