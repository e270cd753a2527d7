import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { Returns, ZodValidationPipe } from '@switchboard/platform-runtime';
import { type FastifyReply } from 'fastify';
import { ChatErrorCodes } from '../chat.errors';
import { CreateConversationUseCase } from '../use-cases/create-conversation';
import { GetConversationUseCase } from '../use-cases/get-conversation';
import {
  type ConversationPage as ConversationPageResult,
  ListConversationsUseCase,
} from '../use-cases/list-conversations';
import { ChatErrorResponses, MEMBERS_ONLY } from './chat.http-errors';
import {
  ConversationIdParams,
  ConversationPage,
  CreateConversationBody,
  ListConversationsQuery,
} from './chat.http-schemas';

@Controller('conversations')
export class ConversationsHttpController {
  constructor(
    private readonly createConversation: CreateConversationUseCase,
    private readonly listConversations: ListConversationsUseCase,
    private readonly getConversation: GetConversationUseCase,
  ) {}

  @Post()
  @Returns(201, Chat.ConversationView, 'The new conversation')
  @Returns(200, Chat.ConversationView, 'The direct conversation the two people already have')
  @ChatErrorResponses({
    400: ['VALIDATION_FAILED', ChatErrorCodes.DIRECT_WITH_SELF, ChatErrorCodes.TOO_MANY_MEMBERS],
  })
  async create(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodValidationPipe(CreateConversationBody)) body: CreateConversationBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Chat.ConversationView> {
    const { conversation, created } = await this.createConversation.execute(
      body.kind === 'direct'
        ? { kind: 'direct', creatorId: user.id, userId: body.userId }
        : { kind: 'group', creatorId: user.id, title: body.title, memberIds: body.memberIds },
    );
    void reply.status(created ? 201 : 200);
    return conversation;
  }

  @Get()
  @Returns(200, ConversationPage, 'My conversations, most recent activity first')
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query(new ZodValidationPipe(ListConversationsQuery)) query: ListConversationsQuery,
  ): Promise<ConversationPageResult> {
    return this.listConversations.execute({
      userId: user.id,
      limit: query.limit,
      after: query.cursor,
    });
  }

  @Get(':id')
  @Returns(200, Chat.ConversationView, 'The conversation and its members')
  @ChatErrorResponses(MEMBERS_ONLY)
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(ConversationIdParams)) params: ConversationIdParams,
  ): Promise<Chat.ConversationView> {
    return this.getConversation.execute({ conversationId: params.id, viewerId: user.id });
  }
}
