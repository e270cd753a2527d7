import { Controller } from '@nestjs/common';
import { Calls, type RpcRequest, type RpcResult } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/platform-messaging';
import { SendSignalUseCase } from '../use-cases/send-signal';

@Controller()
export class RelaySignalMessageController {
  constructor(private readonly sendSignal: SendSignalUseCase) {}

  @RpcHandler(Calls.RelaySignal)
  async handle(
    request: RpcRequest<typeof Calls.RelaySignal>,
  ): Promise<RpcResult<typeof Calls.RelaySignal>> {
    return { sentAt: (await this.sendSignal.execute(request)).sentAt };
  }
}
