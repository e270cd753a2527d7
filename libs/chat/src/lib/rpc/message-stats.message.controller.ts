import { Controller } from '@nestjs/common';
import { Chat, type RpcRequest, type RpcResult } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/platform-messaging';
import { MessageStatsUseCase } from '../use-cases/message-stats';

@Controller()
export class MessageStatsMessageController {
  constructor(private readonly messageStats: MessageStatsUseCase) {}

  @RpcHandler(Chat.MessageStats)
  handle(
    request: RpcRequest<typeof Chat.MessageStats>,
  ): Promise<RpcResult<typeof Chat.MessageStats>> {
    return this.messageStats.execute(request);
  }
}
