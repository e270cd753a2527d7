import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Bots, type EventPayload } from '@switchboard/contracts';
import { EventContext, EventHandler } from '@switchboard/platform-messaging';
import { CallWebhookUseCase } from './call-webhook.use-case';

/** Bots consumes its own event: each requested webhook call is made by this JetStream consumer. */
@Controller()
export class WebhookCallHandler {
  constructor(private readonly callWebhook: CallWebhookUseCase) {}

  @EventHandler(Bots.WebhookCallRequested)
  async handle(
    @Payload() call: EventPayload<typeof Bots.WebhookCallRequested>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    await this.callWebhook.execute(call, context.manager, context.attempt);
  }
}
