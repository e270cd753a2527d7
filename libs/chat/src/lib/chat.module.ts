import { Module } from '@nestjs/common';
import { type DomainDefinition } from '@switchboard/platform-runtime';
import { ConversationMemberEntity } from './entities/conversation-member.entity';
import { ConversationEntity } from './entities/conversation.entity';
import { MessageEntity } from './entities/message.entity';
import { ConversationsHttpController } from './http/conversations.http.controller';
import { MessagesHttpController } from './http/messages.http.controller';
import { CreateChatTables1764150000000 } from './migrations/1764150000000-create-chat-tables';
import { AddClientMessageId1764160000000 } from './migrations/1764160000000-add-client-message-id';
import { PostMessageMessageController } from './rpc/post-message.message.controller';
import { CreateConversationUseCase } from './use-cases/create-conversation.use-case';
import { ListMessagesUseCase } from './use-cases/list-messages.use-case';
import { PostMessageUseCase } from './use-cases/post-message.use-case';

@Module({
  controllers: [ConversationsHttpController, MessagesHttpController, PostMessageMessageController],
  providers: [CreateConversationUseCase, PostMessageUseCase, ListMessagesUseCase],
})
export class ChatModule {}

/** The chat domain as a host composes it: module, tables and migrations. */
export const ChatDomain: DomainDefinition = {
  module: ChatModule,
  entities: [ConversationEntity, ConversationMemberEntity, MessageEntity],
  migrations: [CreateChatTables1764150000000, AddClientMessageId1764160000000],
};
