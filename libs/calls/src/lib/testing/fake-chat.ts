import { AppError, Chat, type RpcContract } from '@switchboard/contracts';
import { ContractResponder } from '@switchboard/platform-testing';
import { type NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';

/**
 * Chat's side of the wire for calls' own tests: chat's contract subjects answered by
 * `ContractResponder`s (calls may not import the chat domain) from conversations the test defines.
 * `down()` stops answering, as a dead chat would: callers get "no responders" at once. The e2e
 * tests in test/ run the real chat.
 */
export class FakeChat {
  readonly conversations = new Map<string, Chat.ConversationView>();
  /** Every request received, by subject. */
  readonly requests: { subject: string; body: unknown }[] = [];
  private readonly responders: ContractResponder<RpcContract>[];

  constructor(nats: NatsConnection) {
    this.responders = [
      new ContractResponder(nats, Chat.CheckMembership, (request) => {
        this.requests.push({ subject: Chat.CheckMembership.subject, body: request });
        const member = this.conversations
          .get(request.conversationId)
          ?.members.find((candidate) => candidate.userId === request.userId);
        return {
          member: member !== undefined,
          role: member?.role ?? null,
          conversationExists: this.conversations.has(request.conversationId),
        };
      }),
      new ContractResponder(nats, Chat.GetConversation, (request) => {
        this.requests.push({ subject: Chat.GetConversation.subject, body: request });
        const conversation = this.conversations.get(request.conversationId);
        if (!conversation) {
          throw new AppError(
            'CHAT.CONVERSATION_NOT_FOUND',
            'not_found',
            `Conversation ${request.conversationId} does not exist`,
          );
        }
        return { conversation };
      }),
    ];
  }

  async up(): Promise<void> {
    for (const responder of this.responders) await responder.start();
  }

  /** Stops answering, as if chat were down. */
  async down(): Promise<void> {
    for (const responder of this.responders) await responder.stop();
  }

  /** A group of these people (the first is its admin); returns its id. */
  conversation(userIds: string[]): string {
    const now = new Date().toISOString();
    const conversation = Chat.ConversationView.parse({
      id: randomUUID(),
      kind: userIds.length === 2 ? 'direct' : 'group',
      title: userIds.length === 2 ? null : 'Test group',
      ownerId: userIds[0],
      createdAt: now,
      members: userIds.map((userId, index) => ({
        userId,
        role: index === 0 || userIds.length === 2 ? 'admin' : 'member',
        joinedAt: now,
      })),
    });
    this.conversations.set(conversation.id, conversation);
    return conversation.id;
  }
}
