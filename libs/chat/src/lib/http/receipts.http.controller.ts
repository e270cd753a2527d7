import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { Returns, ZodValidationPipe } from '@switchboard/platform-runtime';
import { ChatErrorCodes } from '../chat.errors';
import { ListReceiptsUseCase } from '../use-cases/list-receipts';
import { type MarkReadOutcome, MarkReadUseCase, type ReadReceipt } from '../use-cases/mark-read';
import { ChatErrorResponses, MEMBERS_ONLY } from './chat.http-errors';
import {
  ConversationIdParams,
  MarkReadBody,
  MarkReadResponse,
  ReceiptList,
} from './chat.http-schemas';

@Controller('conversations/:id')
export class ReceiptsHttpController {
  constructor(
    private readonly markRead: MarkReadUseCase,
    private readonly listReceipts: ListReceiptsUseCase,
  ) {}

  @Post('read')
  @HttpCode(200)
  @Returns(200, MarkReadResponse, 'My receipt (it only moves forward) and what is left unread')
  @ChatErrorResponses({
    403: [ChatErrorCodes.NOT_A_MEMBER],
    404: [ChatErrorCodes.CONVERSATION_NOT_FOUND, ChatErrorCodes.MESSAGE_NOT_FOUND],
  })
  read(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(ConversationIdParams)) params: ConversationIdParams,
    @Body(new ZodValidationPipe(MarkReadBody)) body: MarkReadBody,
  ): Promise<MarkReadOutcome> {
    return this.markRead.execute({
      conversationId: params.id,
      userId: user.id,
      messageId: body.messageId,
    });
  }

  @Get('receipts')
  @Returns(200, ReceiptList, "Each member's last read message, members oldest first")
  @ChatErrorResponses(MEMBERS_ONLY)
  async receipts(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(ConversationIdParams)) params: ConversationIdParams,
  ): Promise<{ items: ReadReceipt[] }> {
    return {
      items: await this.listReceipts.execute({ conversationId: params.id, userId: user.id }),
    };
  }
}
