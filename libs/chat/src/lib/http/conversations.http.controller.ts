import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { ZodValidationPipe } from '@switchboard/platform-runtime';
import {
  type ConversationView,
  CreateConversationUseCase,
} from '../use-cases/create-conversation.use-case';
import { CreateConversationBody } from './chat.http-schemas';

@Controller('conversations')
export class ConversationsHttpController {
  constructor(private readonly createConversation: CreateConversationUseCase) {}

  @Post()
  @HttpCode(201)
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodValidationPipe(CreateConversationBody)) body: CreateConversationBody,
  ): Promise<ConversationView> {
    return this.createConversation.execute({ creatorId: user.id, ...body });
  }
}
