import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Chat, type EventPayload } from '@switchboard/contracts';
import { EventContext, EventHandler } from '@switchboard/platform-messaging';
import { ConversationSetup } from '../shared/conversation-setup';

/** A new conversation gets the default bots (unless a message or an admin got there first). */
@Controller()
export class ConversationCreatedHandler {
  constructor(private readonly setup: ConversationSetup) {}

  @EventHandler(Chat.ConversationCreated)
  async handle(
    @Payload() event: EventPayload<typeof Chat.ConversationCreated>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    await this.setup.ensureInitialized(context.manager, event.conversation.id);
  }
}
