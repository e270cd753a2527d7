import { Injectable } from '@nestjs/common';
import { type Calls } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { CallsErrors } from '../../calls.errors';
import { CallParticipantEntity } from '../../entities/call-participant.entity';
import { type CallActionInput } from '../../shared/call-action';
import { CallTransitions } from '../../shared/call-transitions';
import { isParticipant, toCallView } from '../../shared/views';

/**
 * An invitee turns a ringing call down. The call becomes `declined` when every invitee has
 * declined — at once in a 1:1 call; in a group it keeps ringing for the others until then (and
 * nothing is announced for a single answer). The call's row lock serialises the decliners, so the
 * last of several racing declines sees all the others and declines the call exactly once.
 */
@Injectable()
export class DeclineCallUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: CallTransitions,
  ) {}

  execute({ callId, userId }: CallActionInput): Promise<Calls.CallView> {
    return this.dataSource.transaction(async (manager) => {
      const call = await this.transitions.load(manager, callId);
      if (!isParticipant(call, userId)) throw CallsErrors.notAParticipant(callId);
      if (call.callerId === userId) throw CallsErrors.notAnInvitee(callId);
      this.transitions.assertAllowed(call, 'declined');
      if (!(await this.transitions.lock(manager, call))) {
        const current = await this.transitions.load(manager, callId);
        throw CallsErrors.illegalTransition(callId, current.state, 'declined');
      }
      const answered = await manager.update(
        CallParticipantEntity,
        { callId, userId, response: 'pending' },
        { response: 'declined' },
      );
      if (answered.affected !== 1) throw CallsErrors.alreadyDeclined(callId);
      const waiting = await manager.countBy(CallParticipantEntity, {
        callId,
        role: 'invitee',
        response: 'pending',
      });
      if (waiting > 0) return toCallView(call);
      const declined = await this.transitions.apply(manager, call, 'declined', {
        endedAt: new Date(),
      });
      // We hold the row lock on a ringing call: nobody else can have changed it.
      if (!declined) throw new Error(`Call ${callId} changed under its row lock`);
      return toCallView(declined);
    });
  }
}
