import { Controller } from '@nestjs/common';
import { Chat, type RpcRequest, type RpcResult } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/platform-messaging';
import { PostMessageUseCase } from '../use-cases/post-message';

@Controller()
export class PostMessageMessageController {
  constructor(private readonly postMessage: PostMessageUseCase) {}

  @RpcHandler(Chat.PostMessage)
  async handle(
    request: RpcRequest<typeof Chat.PostMessage>,
  ): Promise<RpcResult<typeof Chat.PostMessage>> {
    return { message: (await this.postMessage.execute(request)).message };
  }
}
