import { Controller, Delete, Get, HttpCode, Param, Put, Res } from '@nestjs/common';
import { ErrorEnvelope } from '@switchboard/contracts';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { Returns, ZodValidationPipe } from '@switchboard/platform-runtime';
import { type FastifyReply } from 'fastify';
import { InstalledBotList, InstalledBotView } from '../shared/views';
import { InstallBotUseCase } from '../use-cases/install-bot';
import { ListInstalledBotsUseCase } from '../use-cases/list-installed-bots';
import { UninstallBotUseCase } from '../use-cases/uninstall-bot';
import { ConversationBotParams, ConversationParams } from './bots.http-schemas';

const UNAUTHENTICATED = 'AUTH.UNAUTHENTICATED: no valid bearer token';
const CONVERSATION_NOT_FOUND = 'BOTS.CONVERSATION_NOT_FOUND: chat does not know the conversation';
const CHAT_UNAVAILABLE = 'UNAVAILABLE: chat did not answer (retriable)';
const CHAT_TIMEOUT = 'DEADLINE_EXCEEDED: chat answered too late (retriable)';

@Controller('conversations/:id/bots')
export class ConversationBotsHttpController {
  constructor(
    private readonly listInstalled: ListInstalledBotsUseCase,
    private readonly installBot: InstallBotUseCase,
    private readonly uninstallBot: UninstallBotUseCase,
  ) {}

  @Get()
  @Returns(200, InstalledBotList, 'The bots installed in the conversation')
  @Returns(400, ErrorEnvelope, 'VALIDATION_FAILED: the id is not a UUID')
  @Returns(401, ErrorEnvelope, UNAUTHENTICATED)
  @Returns(403, ErrorEnvelope, 'BOTS.NOT_A_MEMBER: only members see a conversation’s bots')
  @Returns(404, ErrorEnvelope, CONVERSATION_NOT_FOUND)
  @Returns(503, ErrorEnvelope, CHAT_UNAVAILABLE)
  @Returns(504, ErrorEnvelope, CHAT_TIMEOUT)
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(ConversationParams)) params: ConversationParams,
  ): Promise<InstalledBotList> {
    return this.listInstalled.execute({ conversationId: params.id, userId: user.id });
  }

  /** 201 when the bot was installed now, 200 when it already was (PUT is idempotent). */
  @Put(':name')
  @Returns(201, InstalledBotView, 'Installed')
  @Returns(200, InstalledBotView, 'Was installed already; nothing changed')
  @Returns(400, ErrorEnvelope, 'VALIDATION_FAILED: bad id or bot name')
  @Returns(401, ErrorEnvelope, UNAUTHENTICATED)
  @Returns(403, ErrorEnvelope, 'BOTS.NOT_A_MEMBER or BOTS.NOT_AN_ADMIN: only admins install bots')
  @Returns(404, ErrorEnvelope, `${CONVERSATION_NOT_FOUND}; or BOTS.BOT_NOT_FOUND`)
  @Returns(
    409,
    ErrorEnvelope,
    'BOTS.COMMAND_CONFLICT: an installed bot answers one of its commands',
  )
  @Returns(503, ErrorEnvelope, CHAT_UNAVAILABLE)
  @Returns(504, ErrorEnvelope, CHAT_TIMEOUT)
  async install(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(ConversationBotParams)) params: ConversationBotParams,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InstalledBotView> {
    const { created, bot } = await this.installBot.execute({
      conversationId: params.id,
      userId: user.id,
      botName: params.name,
    });
    void reply.status(created ? 201 : 200);
    return bot;
  }

  @Delete(':name')
  @HttpCode(204)
  @Returns(204, undefined, 'Not installed (any more); also when it was not installed before')
  @Returns(400, ErrorEnvelope, 'VALIDATION_FAILED: bad id or bot name')
  @Returns(401, ErrorEnvelope, UNAUTHENTICATED)
  @Returns(403, ErrorEnvelope, 'BOTS.NOT_A_MEMBER or BOTS.NOT_AN_ADMIN: only admins remove bots')
  @Returns(404, ErrorEnvelope, `${CONVERSATION_NOT_FOUND}; or BOTS.BOT_NOT_FOUND`)
  @Returns(503, ErrorEnvelope, CHAT_UNAVAILABLE)
  @Returns(504, ErrorEnvelope, CHAT_TIMEOUT)
  async uninstall(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(ConversationBotParams)) params: ConversationBotParams,
  ): Promise<void> {
    await this.uninstallBot.execute({
      conversationId: params.id,
      userId: user.id,
      botName: params.name,
    });
  }
}
