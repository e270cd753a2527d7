import { Inject, Injectable } from '@nestjs/common';
import { Calls, type PushPayload } from '@switchboard/contracts';
import { encodeJson, NATS_CONNECTION } from '@switchboard/platform-messaging';
import { type NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { CallsErrors } from '../../calls.errors';
import { type CallEntity } from '../../entities/call.entity';
import { isLive } from '../../shared/call-state-machine';
import { CallTransitions } from '../../shared/call-transitions';
import { isParticipant } from '../../shared/views';

export interface SendSignalInput {
  callId: string;
  fromUserId: string;
  toUserId: string;
  signal: Calls.SignalBody;
}

/**
 * Relays a WebRTC signal to one participant: published on `push.calls.signal.v1.<recipient>` over
 * core NATS (at most once, never stored) for a realtime edge to forward. While a call rings the
 * caller and each invitee may signal each other (offers go out before anyone answered); once
 * active only the caller and whoever accepted.
 */
@Injectable()
export class SendSignalUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: CallTransitions,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
  ) {}

  async execute(input: SendSignalInput): Promise<PushPayload<typeof Calls.CallSignal>> {
    const { callId, fromUserId, toUserId } = input;
    const call = await this.transitions.load(this.dataSource.manager, callId);
    if (!isParticipant(call, fromUserId)) throw CallsErrors.notAParticipant(callId);
    if (!isLive(call.state)) throw CallsErrors.callOver(callId, call.state);
    if (!mayTalk(call, fromUserId, toUserId)) throw CallsErrors.invalidRecipient(callId, toUserId);
    const message = Calls.CallSignal.payload.parse({
      callId,
      fromUserId,
      toUserId,
      signal: input.signal,
      sentAt: new Date().toISOString(),
    });
    this.nats.publish(Calls.CallSignal.subjectFor(toUserId), encodeJson(message));
    return message;
  }
}

function mayTalk(call: CallEntity, from: string, to: string): boolean {
  if (from === to || !isParticipant(call, to)) return false;
  if (call.state === 'active') {
    const connected = [call.callerId, call.acceptedBy];
    return connected.includes(from) && connected.includes(to);
  }
  // Ringing: between the caller and any invitee, never invitee to invitee.
  return from === call.callerId || to === call.callerId;
}
