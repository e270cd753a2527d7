import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { type Chat } from '@switchboard/contracts';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { ZodValidationPipe } from '@switchboard/platform-runtime';
import { type FastifyReply } from 'fastify';
import { ListMessagesUseCase, type MessagePage } from '../use-cases/list-messages.use-case';
import { PostMessageUseCase } from '../use-cases/post-message.use-case';
import { ConversationIdParams, ListMessagesQuery, PostMessageBody } from './chat.http-schemas';

@Controller('conversations/:id/messages')
export class MessagesHttpController {
  constructor(
    private readonly postMessage: PostMessageUseCase,
    private readonly listMessages: ListMessagesUseCase,
  ) {}

  /** 201 with the new message; 200 with the stored one when `clientMessageId` was seen before. */
  @Post()
  async post(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(ConversationIdParams)) params: { id: string },
    @Body(new ZodValidationPipe(PostMessageBody)) body: PostMessageBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Chat.MessageView> {
    const { message, created } = await this.postMessage.execute({
      conversationId: params.id,
      sender: { kind: 'user', id: user.id },
      text: body.text,
      clientMessageId: body.clientMessageId,
    });
    void reply.status(created ? 201 : 200);
    return message;
  }

  @Get()
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(ConversationIdParams)) params: { id: string },
    @Query(new ZodValidationPipe(ListMessagesQuery)) query: ListMessagesQuery,
  ): Promise<MessagePage> {
    return this.listMessages.execute({ conversationId: params.id, userId: user.id, ...query });
  }
}
