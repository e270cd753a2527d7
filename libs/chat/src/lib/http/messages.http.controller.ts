import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { Returns, ZodValidationPipe } from '@switchboard/platform-runtime';
import { type FastifyReply } from 'fastify';
import { ChatErrorCodes } from '../chat.errors';
import { DeleteMessageUseCase } from '../use-cases/delete-message';
import { EditMessageUseCase } from '../use-cases/edit-message';
import {
  ListMessagesUseCase,
  type MessagePage as MessagePageResult,
} from '../use-cases/list-messages';
import { PostMessageUseCase } from '../use-cases/post-message';
import { ChatErrorResponses, MEMBERS_ONLY } from './chat.http-errors';
import {
  ConversationIdParams,
  EditMessageBody,
  ListMessagesQuery,
  MessagePage,
  MessageParams,
  PostMessageBody,
} from './chat.http-schemas';

@Controller('conversations/:id/messages')
export class MessagesHttpController {
  constructor(
    private readonly postMessage: PostMessageUseCase,
    private readonly listMessages: ListMessagesUseCase,
    private readonly editMessage: EditMessageUseCase,
    private readonly deleteMessage: DeleteMessageUseCase,
  ) {}

  @Post()
  @Returns(201, Chat.MessageView, 'The new message')
  @Returns(200, Chat.MessageView, 'The message stored earlier under this clientMessageId')
  @ChatErrorResponses({ ...MEMBERS_ONLY, 409: [ChatErrorCodes.CLIENT_MESSAGE_ID_REUSED] })
  async post(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(ConversationIdParams)) params: ConversationIdParams,
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
  @Returns(200, MessagePage, 'A page of messages; deleted ones keep their place without text')
  @ChatErrorResponses(MEMBERS_ONLY)
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(ConversationIdParams)) params: ConversationIdParams,
    @Query(new ZodValidationPipe(ListMessagesQuery)) query: ListMessagesQuery,
  ): Promise<MessagePageResult> {
    return this.listMessages.execute({ conversationId: params.id, userId: user.id, ...query });
  }

  @Patch(':messageId')
  @Returns(200, Chat.MessageView, 'The message with its new text and editedAt')
  @ChatErrorResponses({
    403: [ChatErrorCodes.NOT_A_MEMBER, ChatErrorCodes.NOT_THE_SENDER],
    404: [ChatErrorCodes.CONVERSATION_NOT_FOUND, ChatErrorCodes.MESSAGE_NOT_FOUND],
    409: [ChatErrorCodes.MESSAGE_DELETED],
  })
  edit(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(MessageParams)) params: MessageParams,
    @Body(new ZodValidationPipe(EditMessageBody)) body: EditMessageBody,
  ): Promise<Chat.MessageView> {
    return this.editMessage.execute({
      conversationId: params.id,
      messageId: params.messageId,
      userId: user.id,
      text: body.text,
    });
  }

  @Delete(':messageId')
  @HttpCode(204)
  @Returns(204, undefined, 'Deleted (also when it already was)')
  @ChatErrorResponses({
    403: [ChatErrorCodes.NOT_A_MEMBER, ChatErrorCodes.NOT_THE_SENDER],
    404: [ChatErrorCodes.CONVERSATION_NOT_FOUND, ChatErrorCodes.MESSAGE_NOT_FOUND],
  })
  remove(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(MessageParams)) params: MessageParams,
  ): Promise<void> {
    return this.deleteMessage.execute({
      conversationId: params.id,
      messageId: params.messageId,
      userId: user.id,
    });
  }
}
