import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Bots, type EventPayload } from '@switchboard/contracts';
import { EventContext, EventHandler } from '@switchboard/platform-messaging';
import { CallWebhookUseCase } from '../use-cases/call-webhook';

/** Webhook calls one bots instance makes at once. */
export const WEBHOOK_CALLS_AT_ONCE = 4;

/** Bots consumes its own event: each requested webhook call is made by this JetStream consumer. */
@Controller()
export class WebhookCallRequestedHandler {
  constructor(private readonly callWebhook: CallWebhookUseCase) {}

  // The call waits on someone else's server (up to BOTS_WEBHOOK_TIMEOUT_MS) while it holds the
  // inbox transaction's database connection: four at a time leave the rest of the pool to
  // everything else, however many slow webhooks are queued.
  @EventHandler(Bots.WebhookCallRequested, { concurrency: WEBHOOK_CALLS_AT_ONCE })
  async handle(
    @Payload() call: EventPayload<typeof Bots.WebhookCallRequested>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    await this.callWebhook.execute(call, context.manager, context.attempt);
  }
}
