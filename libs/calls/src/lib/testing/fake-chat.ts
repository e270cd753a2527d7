import {
  AppError,
  Chat,
  CommonErrorCodes,
  ERROR_KIND_STATUS,
  type RpcContract,
  type RpcRequest,
  type RpcResult,
} from '@switchboard/contracts';
import { headers, type Msg, type NatsConnection, type Subscription } from 'nats';
import { randomUUID } from 'node:crypto';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Chat's side of the wire for calls' own tests: plain NATS responders on chat's contract subjects
 * (calls may not import the chat domain), validating requests and replies with the contract
 * schemas and answering from conversations the test defines. `down()` stops answering, as a dead
 * chat would: callers get "no responders" at once. The e2e tests in test/ run the real chat.
 */
export class FakeChat {
  readonly conversations = new Map<string, Chat.ConversationView>();
  /** Every request received, by subject. */
  readonly requests: { subject: string; body: unknown }[] = [];
  private subscriptions: Subscription[] = [];

  constructor(private readonly nats: NatsConnection) {}

  async up(): Promise<void> {
    if (this.subscriptions.length > 0) return;
    this.subscriptions = [
      this.answer(Chat.CheckMembership, ({ conversationId, userId }) => {
        const member = this.conversations
          .get(conversationId)
          ?.members.find((candidate) => candidate.userId === userId);
        return {
          member: member !== undefined,
          role: member?.role ?? null,
          conversationExists: this.conversations.has(conversationId),
        };
      }),
      this.answer(Chat.GetConversation, ({ conversationId }) => {
        const conversation = this.conversations.get(conversationId);
        if (!conversation) {
          throw new AppError(
            'CHAT.CONVERSATION_NOT_FOUND',
            'not_found',
            `Conversation ${conversationId} does not exist`,
          );
        }
        return { conversation };
      }),
    ];
    await this.nats.flush();
  }

  /** Stops answering, as if chat were down. */
  async down(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
    await this.nats.flush();
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

  private answer<C extends RpcContract>(
    contract: C,
    handle: (request: RpcRequest<C>) => RpcResult<C>,
  ): Subscription {
    return this.nats.subscribe(contract.subject, {
      callback: (_error, msg) => this.reply(msg, contract, handle),
    });
  }

  private reply<C extends RpcContract>(
    msg: Msg,
    contract: C,
    handle: (request: RpcRequest<C>) => RpcResult<C>,
  ): void {
    try {
      const body: unknown = JSON.parse(decoder.decode(msg.data));
      this.requests.push({ subject: msg.subject, body });
      const request = contract.request.safeParse(body);
      if (!request.success) {
        throw new AppError(
          CommonErrorCodes.INVALID_ARGUMENT,
          'invalid_argument',
          request.error.message,
        );
      }
      const result = contract.result.parse(handle(request.data as RpcRequest<C>));
      msg.respond(encoder.encode(JSON.stringify({ ok: true, ...result })));
    } catch (error) {
      const appError =
        error instanceof AppError
          ? error
          : new AppError(CommonErrorCodes.INTERNAL, 'internal', String(error));
      const replyHeaders = headers();
      replyHeaders.set('Nats-Service-Error-Code', String(ERROR_KIND_STATUS[appError.kind]));
      replyHeaders.set('Nats-Service-Error', appError.message);
      msg.respond(encoder.encode(JSON.stringify({ ok: false, ...appError.toEnvelope() })), {
        headers: replyHeaders,
      });
    }
  }
}
