import {
  AppError,
  Chat,
  type RpcContract,
  type RpcRequest,
  type RpcResult,
} from '@switchboard/contracts';
import { ContractResponder } from '@switchboard/platform-testing';
import { type NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';

/**
 * Chat's side of the wire for bots' own tests: `ContractResponder`s on chat's contract subjects
 * (bots may not import the chat domain). Requests and replies are validated against the contract
 * schemas, errors leave as chat's transport sends them (see `ContractResponder`), and
 * posts are idempotent per (conversation, sender, clientMessageId) as chat's are, so a test sees
 * what a user would see. The e2e tests in test/ run the real chat.
 */
export class FakeChat {
  /** Every message stored: people's (via `store`) and bots' (via post-message), oldest first. */
  readonly messages: Chat.MessageView[] = [];
  /** Messages stored through post-message (what bots posted), oldest first. */
  readonly posted: Chat.MessageView[] = [];
  /** Every post-message request received, retries included. */
  readonly postRequests: RpcRequest<typeof Chat.PostMessage>[] = [];
  readonly conversations = new Map<string, Chat.ConversationView>();
  private readonly responders: Map<string, ContractResponder<RpcContract>>;

  constructor(nats: NatsConnection) {
    this.responders = new Map<string, ContractResponder<RpcContract>>([
      [
        Chat.PostMessage.subject,
        new ContractResponder(nats, Chat.PostMessage, (request) => this.post(request)),
      ],
      [
        Chat.GetConversation.subject,
        new ContractResponder(nats, Chat.GetConversation, ({ conversationId }) => ({
          conversation: this.conversation(conversationId),
        })),
      ],
      [
        Chat.MessageStats.subject,
        new ContractResponder(nats, Chat.MessageStats, ({ conversationId }) =>
          this.stats(conversationId),
        ),
      ],
    ]);
  }

  async start(): Promise<void> {
    for (const responder of this.responders.values()) await responder.start();
  }

  /** Stops answering one subject, as if chat were down: callers get "no responders". */
  async stop(contract: RpcContract): Promise<void> {
    await this.responders.get(contract.subject)?.stop();
  }

  /** Answers a stopped subject again. */
  async resume(contract: RpcContract): Promise<void> {
    await this.responders.get(contract.subject)?.start();
  }

  /** A group whose first admin is its owner. */
  createConversation(admins: string[], members: string[] = []): Chat.ConversationView {
    const now = new Date().toISOString();
    const conversation = Chat.ConversationView.parse({
      id: randomUUID(),
      kind: 'group',
      title: 'Test group',
      ownerId: admins[0],
      createdAt: now,
      members: [
        ...admins.map((userId) => ({ userId, role: 'admin', joinedAt: now })),
        ...members.map((userId) => ({ userId, role: 'member', joinedAt: now })),
      ],
    });
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  /** Stores a person's (or any sender's) message as chat would before announcing it. */
  store(
    conversationId: string,
    text: string,
    sender: Chat.Sender,
    overrides: Partial<Chat.MessageView> = {},
  ): Chat.MessageView {
    const message = Chat.MessageView.parse({
      id: randomUUID(),
      conversationId,
      sender,
      text,
      clientMessageId: null,
      ref: null,
      createdAt: new Date().toISOString(),
      editedAt: null,
      deletedAt: null,
      ...overrides,
    });
    this.messages.push(message);
    return message;
  }

  memberIds(conversationId: string): string[] {
    return this.conversations.get(conversationId)?.members.map((m) => m.userId) ?? [];
  }

  /** What bots posted into a conversation (optionally one bot), oldest first. */
  botMessages(conversationId: string, bot?: string): Chat.MessageView[] {
    return this.posted.filter(
      (message) =>
        message.conversationId === conversationId &&
        (bot === undefined || message.sender.id === bot),
    );
  }

  private post(request: RpcRequest<typeof Chat.PostMessage>): RpcResult<typeof Chat.PostMessage> {
    this.postRequests.push(request);
    this.conversation(request.conversationId);
    const stored =
      request.clientMessageId === undefined
        ? undefined
        : this.messages.find(
            (message) =>
              message.conversationId === request.conversationId &&
              message.sender.id === request.sender.id &&
              message.clientMessageId === request.clientMessageId,
          );
    if (stored) return { message: stored };
    const message = this.store(request.conversationId, request.text, request.sender, {
      clientMessageId: request.clientMessageId ?? null,
    });
    this.posted.push(message);
    return { message };
  }

  private stats(conversationId: string): RpcResult<typeof Chat.MessageStats> {
    this.conversation(conversationId);
    const counts = new Map<string, number>();
    for (const message of this.messages) {
      if (message.conversationId !== conversationId) continue;
      if (message.sender.kind !== 'user' || message.deletedAt !== null) continue;
      counts.set(message.sender.id, (counts.get(message.sender.id) ?? 0) + 1);
    }
    const perUser = [...counts]
      .map(([userId, count]) => ({ userId, count }))
      .sort((a, b) => b.count - a.count || a.userId.localeCompare(b.userId));
    return {
      conversationId,
      total: perUser.reduce((sum, entry) => sum + entry.count, 0),
      perUser,
    };
  }

  private conversation(conversationId: string): Chat.ConversationView {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) {
      throw new AppError(
        'CHAT.CONVERSATION_NOT_FOUND',
        'not_found',
        `Conversation ${conversationId} does not exist`,
      );
    }
    return conversation;
  }
}
