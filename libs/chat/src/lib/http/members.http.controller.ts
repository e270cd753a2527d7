import { Body, Controller, Delete, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { Returns, ZodValidationPipe } from '@switchboard/platform-runtime';
import { ChatErrorCodes } from '../chat.errors';
import { AddMembersUseCase } from '../use-cases/add-members';
import { ChangeMemberRoleUseCase } from '../use-cases/change-member-role';
import { RemoveMemberUseCase } from '../use-cases/remove-member';
import { ChatErrorResponses, MEMBERS_ONLY } from './chat.http-errors';
import {
  AddMembersBody,
  ChangeRoleBody,
  ConversationIdParams,
  MemberParams,
} from './chat.http-schemas';

@Controller('conversations/:id')
export class MembersHttpController {
  constructor(
    private readonly addMembers: AddMembersUseCase,
    private readonly removeMember: RemoveMemberUseCase,
    private readonly changeRole: ChangeMemberRoleUseCase,
  ) {}

  @Post('members')
  @HttpCode(200)
  @Returns(
    200,
    Chat.ConversationView,
    'The group with its members; people already in it are ignored',
  )
  @ChatErrorResponses({
    403: [ChatErrorCodes.NOT_A_MEMBER, ChatErrorCodes.NOT_AN_ADMIN],
    404: [ChatErrorCodes.CONVERSATION_NOT_FOUND],
    409: [ChatErrorCodes.DIRECT_MEMBERS_FIXED, ChatErrorCodes.TOO_MANY_MEMBERS],
  })
  add(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(ConversationIdParams)) params: ConversationIdParams,
    @Body(new ZodValidationPipe(AddMembersBody)) body: AddMembersBody,
  ): Promise<Chat.ConversationView> {
    return this.addMembers.execute({
      conversationId: params.id,
      actorId: user.id,
      userIds: body.userIds,
    });
  }

  /** An admin removes someone; on yourself it means leaving. */
  @Delete('members/:userId')
  @HttpCode(204)
  @Returns(204, undefined, 'Removed (or left)')
  @ChatErrorResponses({
    403: [ChatErrorCodes.NOT_A_MEMBER, ChatErrorCodes.NOT_AN_ADMIN],
    404: [ChatErrorCodes.CONVERSATION_NOT_FOUND, ChatErrorCodes.MEMBER_NOT_FOUND],
    409: [ChatErrorCodes.DIRECT_MEMBERS_FIXED],
  })
  async remove(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(MemberParams)) params: MemberParams,
  ): Promise<void> {
    await this.removeMember.execute({
      conversationId: params.id,
      actorId: user.id,
      userId: params.userId,
    });
  }

  @Patch('members/:userId')
  @Returns(200, Chat.ConversationView, 'The group with the member in their new role')
  @ChatErrorResponses({
    403: [ChatErrorCodes.NOT_A_MEMBER, ChatErrorCodes.NOT_AN_ADMIN],
    404: [ChatErrorCodes.CONVERSATION_NOT_FOUND, ChatErrorCodes.MEMBER_NOT_FOUND],
    409: [ChatErrorCodes.DIRECT_MEMBERS_FIXED, ChatErrorCodes.LAST_ADMIN],
  })
  patch(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(MemberParams)) params: MemberParams,
    @Body(new ZodValidationPipe(ChangeRoleBody)) body: ChangeRoleBody,
  ): Promise<Chat.ConversationView> {
    return this.changeRole.execute({
      conversationId: params.id,
      actorId: user.id,
      userId: params.userId,
      role: body.role,
    });
  }

  @Post('leave')
  @HttpCode(204)
  @Returns(204, undefined, 'Left the group')
  @ChatErrorResponses({ ...MEMBERS_ONLY, 409: [ChatErrorCodes.DIRECT_MEMBERS_FIXED] })
  async leave(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(ConversationIdParams)) params: ConversationIdParams,
  ): Promise<void> {
    await this.removeMember.execute({
      conversationId: params.id,
      actorId: user.id,
      userId: user.id,
    });
  }
}
