import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ErrorEnvelope } from '@switchboard/contracts';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { Returns, ZodValidationPipe } from '@switchboard/platform-runtime';
import { BotList, RegisteredBotView } from '../shared/views';
import { ListBotsUseCase } from '../use-cases/list-bots';
import { RegisterWebhookBotUseCase } from '../use-cases/register-webhook-bot';
import { RegisterBotBody } from './bots.http-schemas';

@Controller('bots')
export class BotsHttpController {
  constructor(
    private readonly registerWebhookBot: RegisterWebhookBotUseCase,
    private readonly listBots: ListBotsUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  @Returns(
    201,
    RegisteredBotView,
    'The registered webhook bot with its signing secret (shown only here)',
  )
  @Returns(
    400,
    ErrorEnvelope,
    'VALIDATION_FAILED, or BOTS.WEBHOOK_URL_REFUSED for a URL the policy refuses',
  )
  @Returns(401, ErrorEnvelope, 'AUTH.UNAUTHENTICATED: no valid bearer token')
  @Returns(409, ErrorEnvelope, 'BOTS.NAME_TAKEN: a built-in or webhook bot has this name')
  register(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodValidationPipe(RegisterBotBody)) body: RegisterBotBody,
  ): Promise<RegisteredBotView> {
    return this.registerWebhookBot.execute({ ownerId: user.id, ...body });
  }

  @Get()
  @Returns(200, BotList, 'Every bot, built-in and webhook, without secrets')
  @Returns(401, ErrorEnvelope, 'AUTH.UNAUTHENTICATED: no valid bearer token')
  list(): Promise<BotList> {
    return this.listBots.execute();
  }
}
