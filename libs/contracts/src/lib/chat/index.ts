/** The domain's name: the second token of its subjects, its queue group, consumers and database. */
export const DOMAIN = 'chat';
export {
  ConversationKind,
  ConversationView,
  GROUP_MEMBERS_MAX,
  GROUP_TITLE_MAX,
  MemberIds,
  MemberRole,
  MemberView,
} from './conversation';
export {
  ConversationCreated,
  MemberAdded,
  MemberRemoved,
  MemberRoleChanged,
  MessageCreated,
  MessageDeleted,
  MessageEdited,
  ReceiptUpdated,
} from './events';
export {
  ClientMessageId,
  MESSAGE_TEXT_MAX_BYTES,
  MessageRef,
  MessageText,
  MessageView,
  Sender,
  SenderKind,
} from './message';
export { CheckMembership, GetConversation, ListContacts, MessageStats, PostMessage } from './rpcs';
