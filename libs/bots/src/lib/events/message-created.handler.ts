import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Chat, type EventPayload } from '@switchboard/contracts';
import { EventContext, EventHandler } from '@switchboard/platform-messaging';
import { DispatchCommandUseCase } from '../use-cases/dispatch-command';

@Controller()
export class MessageCreatedHandler {
  constructor(private readonly dispatch: DispatchCommandUseCase) {}

  @EventHandler(Chat.MessageCreated)
  async handle(
    @Payload() event: EventPayload<typeof Chat.MessageCreated>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    await this.dispatch.execute(event.message, context.manager);
  }
}
