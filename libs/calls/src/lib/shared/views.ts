import { type Calls } from '@switchboard/contracts';
import { type CallEntity } from '../entities/call.entity';

export function toCallView(call: CallEntity): Calls.CallView {
  return {
    id: call.id,
    conversationId: call.conversationId,
    callerId: call.callerId,
    inviteeIds: call.inviteeIds,
    state: call.state,
    acceptedBy: call.acceptedBy,
    createdAt: call.createdAt.toISOString(),
    ringsUntil: call.ringsUntil.toISOString(),
    answeredAt: call.answeredAt?.toISOString() ?? null,
    endedAt: call.endedAt?.toISOString() ?? null,
    durationSeconds: call.durationSeconds,
  };
}

/** Caller first, then the invitees: who every event of the call is for. */
export function participantIdsOf(call: Pick<CallEntity, 'callerId' | 'inviteeIds'>): string[] {
  return [call.callerId, ...call.inviteeIds];
}

export function isParticipant(call: CallEntity, userId: string): boolean {
  return call.callerId === userId || call.inviteeIds.includes(userId);
}
