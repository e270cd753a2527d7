import { Injectable } from '@nestjs/common';
import { AppError, Chat } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/platform-messaging';
import { BotsErrors } from '../bots.errors';

/** Long enough for a loaded chat, short enough that an HTTP caller never waits on a dead one. */
const GET_CONVERSATION_TIMEOUT_MS = 2_000;

/**
 * Who may do what with a conversation's bots, as chat knows it: members see them, admins manage
 * them. Chat is asked on every call (no cache): a demoted admin must lose the right at once. When
 * chat does not answer, its `UNAVAILABLE` / `DEADLINE_EXCEEDED` passes through (503 / 504).
 */
@Injectable()
export class ConversationAccess {
  constructor(private readonly rpc: RpcClient) {}

  async requireMember(conversationId: string, userId: string): Promise<Chat.ConversationView> {
    const conversation = await this.get(conversationId);
    if (!conversation.members.some((member) => member.userId === userId)) {
      throw BotsErrors.notAMember(conversationId);
    }
    return conversation;
  }

  async requireAdmin(conversationId: string, userId: string): Promise<Chat.ConversationView> {
    const conversation = await this.requireMember(conversationId, userId);
    const member = conversation.members.find((candidate) => candidate.userId === userId);
    if (member?.role !== 'admin') throw BotsErrors.notAnAdmin(conversationId);
    return conversation;
  }

  /** Whether `userId` is an admin of the conversation (404 when chat does not know it). */
  async isAdmin(conversationId: string, userId: string): Promise<boolean> {
    const conversation = await this.get(conversationId);
    return conversation.members.some(
      (member) => member.userId === userId && member.role === 'admin',
    );
  }

  private async get(conversationId: string): Promise<Chat.ConversationView> {
    try {
      const { conversation } = await this.rpc.call(
        Chat.GetConversation,
        { conversationId },
        { timeoutMs: GET_CONVERSATION_TIMEOUT_MS },
      );
      return conversation;
    } catch (error) {
      if (error instanceof AppError && error.kind === 'not_found') {
        throw BotsErrors.conversationNotFound(conversationId);
      }
      throw error;
    }
  }
}
