export { MessageCreated } from './message-created.event';
export { PostMessage } from './post-message.rpc';
export {
  ClientMessageId,
  MESSAGE_TEXT_MAX,
  MessageText,
  MessageView,
  Sender,
  SenderKind,
} from './message';
