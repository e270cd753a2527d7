import { defineEvent } from '../contract';
import { MessageView } from './message';

/** A message was stored in a conversation. Payload: the message as clients see it. */
export const MessageCreated = defineEvent({
  subject: 'evt.chat.message.created.v1',
  payload: MessageView,
});
