import { Inject, Injectable } from '@nestjs/common';
import { AppError, Chat, type Calls } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/platform-messaging';
import { insertOrFind, uuidv7 } from '@switchboard/platform-persistence';
import { SERVICE_CONFIG } from '@switchboard/platform-runtime';
import { DataSource } from 'typeorm';
import { type CallsConfig } from '../../calls.config';
import { CallsErrors } from '../../calls.errors';
import { BusyUserEntity } from '../../entities/busy-user.entity';
import { CallParticipantEntity } from '../../entities/call-participant.entity';
import { CallEntity } from '../../entities/call.entity';
import { RingTimeoutScheduler } from '../../ring-timeout/ring-timeout.scheduler';
import { CallTransitions } from '../../shared/call-transitions';
import { toCallView } from '../../shared/views';

export interface StartCallInput {
  callerId: string;
  conversationId: string;
}

/**
 * The caller rings the conversation's other members. A caller already in a call is refused before
 * chat is bothered. Then chat is asked — is the caller a member (check-membership), who else is in
 * it (get-conversation) — each within `CALLS_CHAT_TIMEOUT_MS`: a dead chat is 503 at once (no
 * responders) or 504 at the deadline, never a hang. Then one transaction makes the caller busy (a
 * primary key, so of two racing starts one wins), stores the call and its participants and writes
 * `CallStarted`; the ring time-out job is woken for it.
 */
@Injectable()
export class StartCallUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rpc: RpcClient,
    private readonly transitions: CallTransitions,
    private readonly scheduler: RingTimeoutScheduler,
    @Inject(SERVICE_CONFIG) private readonly config: CallsConfig,
  ) {}

  async execute(input: StartCallInput): Promise<Calls.CallView> {
    // A cheap early answer that spares chat the questions; the insert below is what decides.
    const busy = await this.busyCallOf(input.callerId);
    if (busy !== null) throw CallsErrors.userBusy(input.callerId, busy);
    const inviteeIds = await this.invitees(input);
    const now = new Date();
    const call: CallEntity = {
      id: uuidv7(),
      conversationId: input.conversationId,
      callerId: input.callerId,
      inviteeIds,
      state: 'ringing',
      acceptedBy: null,
      createdAt: now,
      ringsUntil: new Date(now.getTime() + this.config.CALLS_RING_TIMEOUT_MS),
      answeredAt: null,
      endedAt: null,
      durationSeconds: null,
      failureReason: null,
    };
    await this.dataSource.transaction(async (manager) => {
      await manager.insert(CallEntity, call);
      const busy = await insertOrFind(
        manager,
        BusyUserEntity,
        { userId: input.callerId, callId: call.id },
        { userId: input.callerId },
      );
      if (!busy.created) throw CallsErrors.userBusy(input.callerId, busy.row.callId);
      await manager.insert(CallParticipantEntity, [
        { callId: call.id, userId: input.callerId, role: 'caller', response: 'pending' },
        ...inviteeIds.map((userId) => ({
          callId: call.id,
          userId,
          role: 'invitee' as const,
          response: 'pending' as const,
        })),
      ]);
      await this.transitions.announce(manager, call);
    });
    this.scheduler.wakeAt(call.ringsUntil);
    return toCallView(call);
  }

  private async busyCallOf(userId: string): Promise<string | null> {
    const row = await this.dataSource.getRepository(BusyUserEntity).findOneBy({ userId });
    return row?.callId ?? null;
  }

  private async invitees({ callerId, conversationId }: StartCallInput): Promise<string[]> {
    const timeoutMs = this.config.CALLS_CHAT_TIMEOUT_MS;
    const membership = await this.rpc.call(
      Chat.CheckMembership,
      { conversationId, userId: callerId },
      { timeoutMs },
    );
    if (!membership.conversationExists) throw CallsErrors.conversationNotFound(conversationId);
    if (!membership.member) throw CallsErrors.notAMember(conversationId);
    let conversation: Chat.ConversationView;
    try {
      ({ conversation } = await this.rpc.call(
        Chat.GetConversation,
        { conversationId },
        { timeoutMs },
      ));
    } catch (error) {
      // Deleted between the two questions.
      if (error instanceof AppError && error.kind === 'not_found') {
        throw CallsErrors.conversationNotFound(conversationId);
      }
      throw error;
    }
    const inviteeIds = conversation.members
      .map((member) => member.userId)
      .filter((userId) => userId !== callerId);
    if (inviteeIds.length === 0) throw CallsErrors.noInvitees(conversationId);
    return inviteeIds;
  }
}
