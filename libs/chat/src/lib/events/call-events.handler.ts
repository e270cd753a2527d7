import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Calls, type EventPayload } from '@switchboard/contracts';
import { EventContext, EventHandler } from '@switchboard/platform-messaging';
import { PostCallMessageUseCase } from '../use-cases/post-call-message';

/** Calls that are over leave a system note in their conversation ("Missed call", "Call ended · 3m 12s"). */
@Controller()
export class CallEventsHandler {
  constructor(private readonly postCallMessage: PostCallMessageUseCase) {}

  @EventHandler(Calls.CallMissed)
  async missed(
    @Payload() event: EventPayload<typeof Calls.CallMissed>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    await this.postCallMessage.execute(event.call, context.manager);
  }

  @EventHandler(Calls.CallEnded)
  async ended(
    @Payload() event: EventPayload<typeof Calls.CallEnded>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    await this.postCallMessage.execute(event.call, context.manager);
  }
}
