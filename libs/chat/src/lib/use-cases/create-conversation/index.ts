export * from './create-conversation.use-case';
