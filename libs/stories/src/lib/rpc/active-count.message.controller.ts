import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResult, Stories } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/platform-messaging';
import { ActiveCountUseCase } from '../use-cases/active-count';

@Controller()
export class ActiveCountMessageController {
  constructor(private readonly activeCount: ActiveCountUseCase) {}

  @RpcHandler(Stories.ActiveCount)
  handle(
    request: RpcRequest<typeof Stories.ActiveCount>,
  ): Promise<RpcResult<typeof Stories.ActiveCount>> {
    return this.activeCount.execute(request);
  }
}
