import { Injectable } from '@nestjs/common';
import { type Calls } from '@switchboard/contracts';
import { insertOrFind } from '@switchboard/platform-persistence';
import { DataSource } from 'typeorm';
import { CallsErrors } from '../../calls.errors';
import { BusyUserEntity } from '../../entities/busy-user.entity';
import { CallParticipantEntity } from '../../entities/call-participant.entity';
import { type CallActionInput } from '../../shared/call-action';
import { CallTransitions } from '../../shared/call-transitions';
import { isParticipant, toCallView } from '../../shared/views';

/**
 * An invitee takes a ringing call: `ringing → active`. Of racing accepts exactly one UPDATE matches
 * `state = 'ringing'`; the others get `CALLS.ALREADY_ANSWERED`. In the same transaction the
 * invitee becomes busy: someone already in another call gets `CALLS.USER_BUSY` and the call keeps
 * ringing for the rest.
 */
@Injectable()
export class AcceptCallUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: CallTransitions,
  ) {}

  async execute({ callId, userId }: CallActionInput): Promise<Calls.CallView> {
    return this.dataSource.transaction(async (manager) => {
      const call = await this.transitions.load(manager, callId);
      if (!isParticipant(call, userId)) throw CallsErrors.notAParticipant(callId);
      if (call.callerId === userId) throw CallsErrors.notAnInvitee(callId);
      if (call.state === 'active') throw CallsErrors.alreadyAnswered(callId, call.acceptedBy);
      this.transitions.assertAllowed(call, 'active');
      const mine = await manager.findOneByOrFail(CallParticipantEntity, { callId, userId });
      if (mine.response === 'declined') throw CallsErrors.alreadyDeclined(callId);

      const now = new Date();
      const accepted = await this.transitions.apply(manager, call, 'active', {
        acceptedBy: userId,
        answeredAt: now,
      });
      if (!accepted) {
        const current = await this.transitions.load(manager, callId);
        if (current.state === 'active') {
          throw CallsErrors.alreadyAnswered(callId, current.acceptedBy);
        }
        throw CallsErrors.illegalTransition(callId, current.state, 'active');
      }
      await manager.update(CallParticipantEntity, { callId, userId }, { response: 'accepted' });
      // Busy in another call: the error rolls the transition back and the call rings on.
      const busy = await insertOrFind(manager, BusyUserEntity, { userId, callId }, { userId });
      if (!busy.created) throw CallsErrors.userBusy(userId, busy.row.callId);
      return toCallView(accepted);
    });
  }
}
