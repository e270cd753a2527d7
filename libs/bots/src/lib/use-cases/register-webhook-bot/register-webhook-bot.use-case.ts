import { Inject, Injectable } from '@nestjs/common';
import { insertIfAbsent, uuidv7 } from '@switchboard/platform-persistence';
import { SERVICE_CONFIG } from '@switchboard/platform-runtime';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { type BotsConfig } from '../../bots.config';
import { BotsErrors } from '../../bots.errors';
import { builtInBot } from '../../builtins/built-in-bots';
import { WebhookBotEntity } from '../../entities/webhook-bot.entity';
import { botView, type RegisteredBotView } from '../../shared/views';
import { assertWebhookUrlAllowed } from '../../webhooks/webhook-url.policy';

export interface RegisterWebhookBotInput {
  ownerId: string;
  name: string;
  description: string;
  commands: { name: string; description: string }[];
  webhookUrl: string;
}

/**
 * Registers a webhook bot. Its name must be free among built-in and webhook bots (it becomes the
 * bot's sender id in chat); its URL must pass the webhook URL policy. The signing secret is made
 * here and returned once: only the owner's server and bots should ever know it.
 */
@Injectable()
export class RegisterWebhookBotUseCase {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: BotsConfig,
  ) {}

  async execute(input: RegisterWebhookBotInput): Promise<RegisteredBotView> {
    if (builtInBot(input.name)) throw BotsErrors.nameTaken(input.name);
    const repository = this.dataSource.getRepository(WebhookBotEntity);
    // Cheap check first, so a taken name is not answered with a DNS lookup's delay or verdict.
    if (await repository.existsBy({ name: input.name })) throw BotsErrors.nameTaken(input.name);
    await assertWebhookUrlAllowed(input.webhookUrl, this.config.BOTS_ALLOW_PRIVATE_WEBHOOKS);
    const bot: WebhookBotEntity = {
      id: uuidv7(),
      name: input.name,
      ownerId: input.ownerId,
      description: input.description,
      commands: input.commands,
      webhookUrl: input.webhookUrl,
      signingSecret: randomBytes(32).toString('base64url'),
      createdAt: new Date(),
    };
    if (!(await insertIfAbsent(this.dataSource.manager, WebhookBotEntity, bot))) {
      throw BotsErrors.nameTaken(input.name); // lost a race
    }
    const view = botView({
      kind: 'webhook',
      name: bot.name,
      description: bot.description,
      commands: bot.commands.map((command) => ({ ...command, usage: `/${command.name}` })),
      entity: bot,
    });
    return {
      ...view,
      id: bot.id,
      ownerId: bot.ownerId,
      createdAt: bot.createdAt.toISOString(),
      webhookUrl: bot.webhookUrl,
      signingSecret: bot.signingSecret,
    };
  }
}
