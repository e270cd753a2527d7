import { Injectable } from '@nestjs/common';
import { type Calls } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { CallsErrors } from '../../calls.errors';
import { type CallActionInput } from '../../shared/call-action';
import { CallTransitions } from '../../shared/call-transitions';
import { isParticipant, toCallView } from '../../shared/views';

/** The caller hangs up before anyone answered: `ringing → cancelled`. */
@Injectable()
export class CancelCallUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: CallTransitions,
  ) {}

  execute({ callId, userId }: CallActionInput): Promise<Calls.CallView> {
    return this.dataSource.transaction(async (manager) => {
      const call = await this.transitions.load(manager, callId);
      if (!isParticipant(call, userId)) throw CallsErrors.notAParticipant(callId);
      if (call.callerId !== userId) throw CallsErrors.notTheCaller(callId);
      const cancelled = await this.transitions.apply(manager, call, 'cancelled', {
        endedAt: new Date(),
      });
      if (cancelled) return toCallView(cancelled);
      const current = await this.transitions.load(manager, callId);
      throw CallsErrors.illegalTransition(callId, current.state, 'cancelled');
    });
  }
}
