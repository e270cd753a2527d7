import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { type Chat } from '@switchboard/contracts';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { ZodValidationPipe } from '@switchboard/platform-runtime';
import { ListMessagesUseCase, type MessagePage } from '../use-cases/list-messages.use-case';
import { PostMessageUseCase } from '../use-cases/post-message.use-case';
import { ConversationIdParams, ListMessagesQuery, PostMessageBody } from './chat.http-schemas';

@Controller('conversations/:id/messages')
export class MessagesHttpController {
  constructor(
    private readonly postMessage: PostMessageUseCase,
    private readonly listMessages: ListMessagesUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  post(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(ConversationIdParams)) params: { id: string },
    @Body(new ZodValidationPipe(PostMessageBody)) body: PostMessageBody,
  ): Promise<Chat.MessageView> {
    return this.postMessage.execute({
      conversationId: params.id,
      sender: { kind: 'user', id: user.id },
      text: body.text,
    });
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
