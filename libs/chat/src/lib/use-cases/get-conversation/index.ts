export * from './get-conversation.use-case';
