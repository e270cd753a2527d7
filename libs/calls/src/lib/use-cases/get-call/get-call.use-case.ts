import { Injectable } from '@nestjs/common';
import { type Calls } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { CallsErrors } from '../../calls.errors';
import { CallTransitions } from '../../shared/call-transitions';
import { isParticipant, toCallView } from '../../shared/views';

/** A call as its participants see it. */
@Injectable()
export class GetCallUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: CallTransitions,
  ) {}

  async execute({
    callId,
    viewerId,
  }: {
    callId: string;
    viewerId: string;
  }): Promise<Calls.CallView> {
    const call = await this.transitions.load(this.dataSource.manager, callId);
    if (!isParticipant(call, viewerId)) throw CallsErrors.notAParticipant(callId);
    return toCallView(call);
  }
}
