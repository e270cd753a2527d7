import { Controller } from '@nestjs/common';
import { Chat, type RpcRequest, type RpcResult } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/platform-messaging';
import { GetConversationUseCase } from '../use-cases/get-conversation';

@Controller()
export class GetConversationMessageController {
  constructor(private readonly getConversation: GetConversationUseCase) {}

  /** Trusted callers inside the platform: no viewer, so no membership check. */
  @RpcHandler(Chat.GetConversation)
  async handle(
    request: RpcRequest<typeof Chat.GetConversation>,
  ): Promise<RpcResult<typeof Chat.GetConversation>> {
    return { conversation: await this.getConversation.execute(request) };
  }
}
