import { Controller } from '@nestjs/common';
import { Chat, type EventPayload } from '@switchboard/contracts';
import { EventHandler } from '@switchboard/platform-messaging';
import { AnswerCommandUseCase } from '../use-cases/answer-command.use-case';

@Controller()
export class MessageCreatedHandler {
  constructor(private readonly answerCommand: AnswerCommandUseCase) {}

  @EventHandler(Chat.MessageCreated)
  async handle(message: EventPayload<typeof Chat.MessageCreated>): Promise<void> {
    await this.answerCommand.execute(message);
  }
}
