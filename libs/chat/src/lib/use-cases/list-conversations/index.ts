export * from './conversation-cursor';
export * from './list-conversations.use-case';
