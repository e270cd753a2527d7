import { Controller } from '@nestjs/common';
import { Chat, type RpcRequest, type RpcResult } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/platform-messaging';
import { ListContactsUseCase } from '../use-cases/list-contacts';

@Controller()
export class ListContactsMessageController {
  constructor(private readonly listContacts: ListContactsUseCase) {}

  @RpcHandler(Chat.ListContacts)
  async handle(
    request: RpcRequest<typeof Chat.ListContacts>,
  ): Promise<RpcResult<typeof Chat.ListContacts>> {
    return { userIds: await this.listContacts.execute(request) };
  }
}
