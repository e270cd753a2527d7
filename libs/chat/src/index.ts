export { ChatDomain, ChatModule } from './lib/chat.module';
export { ChatErrorCodes } from './lib/chat.errors';
