import { Chat } from '@switchboard/contracts';
import { Module } from '@nestjs/common';
import { type DomainDefinition } from '@switchboard/platform-runtime';
import { ConversationMemberEntity } from './entities/conversation-member.entity';
import { ConversationEntity } from './entities/conversation.entity';
import { MessageEntity } from './entities/message.entity';
import { CallEventsHandler } from './events/call-events.handler';
import { StoryRepliedHandler } from './events/story-replied.handler';
import { ConversationsHttpController } from './http/conversations.http.controller';
import { MembersHttpController } from './http/members.http.controller';
import { MessagesHttpController } from './http/messages.http.controller';
import { ReceiptsHttpController } from './http/receipts.http.controller';
import { CreateChatTables1764150000000 } from './migrations/1764150000000-create-chat-tables';
import { AddClientMessageId1764160000000 } from './migrations/1764160000000-add-client-message-id';
import { AddKindsRolesReceipts1764170000100 } from './migrations/1764170000100-add-kinds-roles-receipts';
import { AddMessageRef1764200000000 } from './migrations/1764200000000-add-message-ref';
import { CheckMembershipMessageController } from './rpc/check-membership.message.controller';
import { GetConversationMessageController } from './rpc/get-conversation.message.controller';
import { ListContactsMessageController } from './rpc/list-contacts.message.controller';
import { MessageStatsMessageController } from './rpc/message-stats.message.controller';
import { PostMessageMessageController } from './rpc/post-message.message.controller';
import { AddMembersUseCase } from './use-cases/add-members';
import { ChangeMemberRoleUseCase } from './use-cases/change-member-role';
import { CheckMembershipUseCase } from './use-cases/check-membership';
import { CreateConversationUseCase } from './use-cases/create-conversation';
import { DeleteMessageUseCase } from './use-cases/delete-message';
import { EditMessageUseCase } from './use-cases/edit-message';
import { GetConversationUseCase } from './use-cases/get-conversation';
import { ListContactsUseCase } from './use-cases/list-contacts';
import { ListConversationsUseCase } from './use-cases/list-conversations';
import { ListMessagesUseCase } from './use-cases/list-messages';
import { ListReceiptsUseCase } from './use-cases/list-receipts';
import { MarkReadUseCase } from './use-cases/mark-read';
import { MessageStatsUseCase } from './use-cases/message-stats';
import { PostCallMessageUseCase } from './use-cases/post-call-message';
import { PostMessageUseCase } from './use-cases/post-message';
import { RemoveMemberUseCase } from './use-cases/remove-member';
import { ReplyToStoryUseCase } from './use-cases/reply-to-story';

@Module({
  controllers: [
    ConversationsHttpController,
    MembersHttpController,
    MessagesHttpController,
    ReceiptsHttpController,
    PostMessageMessageController,
    CheckMembershipMessageController,
    ListContactsMessageController,
    GetConversationMessageController,
    MessageStatsMessageController,
    StoryRepliedHandler,
    CallEventsHandler,
  ],
  providers: [
    CreateConversationUseCase,
    ListConversationsUseCase,
    GetConversationUseCase,
    AddMembersUseCase,
    RemoveMemberUseCase,
    ChangeMemberRoleUseCase,
    PostMessageUseCase,
    ListMessagesUseCase,
    EditMessageUseCase,
    DeleteMessageUseCase,
    MarkReadUseCase,
    ListReceiptsUseCase,
    CheckMembershipUseCase,
    ListContactsUseCase,
    MessageStatsUseCase,
    ReplyToStoryUseCase,
    PostCallMessageUseCase,
  ],
})
export class ChatModule {}

/** The chat domain as a host composes it: module, tables and migrations. */
export const ChatDomain: DomainDefinition = {
  name: Chat.DOMAIN,
  module: ChatModule,
  entities: [ConversationEntity, ConversationMemberEntity, MessageEntity],
  migrations: [
    CreateChatTables1764150000000,
    AddClientMessageId1764160000000,
    AddKindsRolesReceipts1764170000100,
    AddMessageRef1764200000000,
  ],
};
