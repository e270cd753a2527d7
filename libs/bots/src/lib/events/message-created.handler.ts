import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Chat, type EventPayload } from '@switchboard/contracts';
import { EventContext, EventHandler } from '@switchboard/platform-messaging';
import { AnswerCommandUseCase } from '../use-cases/answer-command.use-case';

@Controller()
export class MessageCreatedHandler {
  constructor(private readonly answerCommand: AnswerCommandUseCase) {}

  @EventHandler(Chat.MessageCreated)
  async handle(
    @Payload() message: EventPayload<typeof Chat.MessageCreated>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    await this.answerCommand.execute(message, context.manager);
  }
}
