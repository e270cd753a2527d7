import { Controller } from '@nestjs/common';
import { Chat, type RpcRequest, type RpcResult } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/platform-messaging';
import { CheckMembershipUseCase } from '../use-cases/check-membership';

@Controller()
export class CheckMembershipMessageController {
  constructor(private readonly checkMembership: CheckMembershipUseCase) {}

  @RpcHandler(Chat.CheckMembership)
  handle(
    request: RpcRequest<typeof Chat.CheckMembership>,
  ): Promise<RpcResult<typeof Chat.CheckMembership>> {
    return this.checkMembership.execute(request);
  }
}
